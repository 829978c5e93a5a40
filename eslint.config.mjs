// Flat config. Type-checked rules for TypeScript, architecture boundaries (DESIGN.md §2) via
// eslint-plugin-boundaries, and eslint-config-prettier last (Prettier checks formatting on its own).
import { defineConfig, globalIgnores } from 'eslint/config';
import boundaries from 'eslint-plugin-boundaries';
import prettier from 'eslint-config-prettier/flat';
import { builtinRules } from 'eslint/use-at-your-own-risk';
import tseslint from 'typescript-eslint';

// eslint:recommended without adding @eslint/js: the builtin rules flagged `recommended` are exactly
// what @eslint/js's recommended config enables.
const jsRecommended = {
  name: 'parley/eslint-recommended',
  rules: Object.fromEntries(
    [...builtinRules].filter(([, rule]) => rule.meta?.docs?.recommended).map(([name]) => [name, 'error']),
  ),
};

const nodeGlobals = Object.fromEntries(
  [
    'AbortController',
    'Buffer',
    'URL',
    'URLSearchParams',
    'clearImmediate',
    'clearInterval',
    'clearTimeout',
    'console',
    'fetch',
    'global',
    'globalThis',
    'process',
    'queueMicrotask',
    'setImmediate',
    'setInterval',
    'setTimeout',
    'structuredClone',
  ].map((name) => [name, 'readonly']),
);
const commonJsGlobals = Object.fromEntries(
  ['require', 'module', 'exports', '__dirname', '__filename'].map((name) => [name, 'readonly']),
);

const INFRA_LIBS = ['config', 'database', 'jobs', 'realtime', 'channels', 'observability'];
const DOMAIN_LIBS = ['accounts', 'inbox', 'surveys', 'reporting', 'privacy'];
const anyLib = (names) => names.map((lib) => ({ element: { type: 'lib', captured: { lib } } }));
const external = (...sources) => ({ to: { module: { origin: 'external', source: sources } } });

/**
 * Policies are evaluated in order and the last matching one wins, so each rule below is a
 * disallow followed by its narrow exceptions; later rules override the deep-import allowance.
 */
const boundaryPolicies = [
  // (4) Cross-element imports of a lib go through `@parley/<lib>` (its index.ts) only.
  {
    disallow: { to: { element: { type: 'lib' } } },
    message:
      'Import other libs through their public entry `@parley/<lib>` only, never by a deep or relative path.',
  },
  {
    allow: {
      to: { element: { type: 'lib' }, file: { categories: 'lib-entry' } },
      dependency: { source: '@parley/*' },
    },
  },
  {
    disallow: external('@parley/*'),
    message: 'Unknown `@parley/...` specifier: import a lib only as `@parley/<lib>` (no deep paths).',
  },
  // (1) Libs never import apps; apps never import each other (same-app imports are internal).
  {
    from: { element: { type: 'lib' } },
    disallow: { to: { element: { type: 'app' } } },
    message: 'Libs must not import apps.',
  },
  {
    from: { element: { type: 'app' } },
    disallow: { to: { element: { type: 'app' } } },
    message:
      'apps/{{from.element.captured.app}} must not import apps/{{to.element.captured.app}}; share code through a lib.',
  },
  // apps/web runs in the browser and talks to the server only over HTTP and socket.io.
  {
    from: { element: { type: 'app', captured: { app: 'web' } } },
    disallow: { to: { element: { type: 'lib' } } },
    message: 'apps/web is browser code; it talks to the server over HTTP/socket.io and imports no lib.',
  },
  // (2) Infrastructure libs know no domain.
  {
    from: anyLib(INFRA_LIBS),
    disallow: { to: anyLib(DOMAIN_LIBS) },
    message:
      'Infrastructure lib `{{from.element.captured.lib}}` must not import domain lib `{{to.element.captured.lib}}`.',
  },
  // (3) inbox depends on no other domain lib; it tells them what happened through events/jobs.
  {
    from: anyLib(['inbox']),
    disallow: { to: anyLib(DOMAIN_LIBS) },
    message:
      'inbox must not import domain lib `{{to.element.captured.lib}}`; publish an event or job instead.',
  },
  // libs/testing is for tests only.
  {
    disallow: { to: anyLib(['testing']) },
    message: '@parley/testing may only be imported from tests.',
  },
  { from: { file: { categories: 'test' } }, allow: { to: anyLib(['testing']) } },
  // Migrations are frozen SQL: they may use libs/database only, and only libs/database loads them.
  {
    from: { element: { type: 'migrations' } },
    disallow: { to: { element: { type: 'lib' } } },
    message: 'Migrations may only import `@parley/database`.',
  },
  {
    from: { element: { type: 'migrations' } },
    allow: {
      to: { element: { type: 'lib', captured: { lib: 'database' } }, file: { categories: 'lib-entry' } },
    },
  },
  {
    from: { element: { type: 'lib' } },
    disallow: { to: { element: { type: 'migrations' } } },
    message: 'Only libs/database/src/data-source.options.ts may import migrations.',
  },
  {
    from: { file: { categories: 'data-source-options' } },
    allow: { to: { element: { type: 'migrations' } } },
  },
  // (5) Each vendor SDK lives in one place.
  {
    disallow: external('twilio', 'nodemailer', 'mailparser', 'imapflow'),
    message: '`{{to.module.source}}` may only be used in libs/channels.',
  },
  { from: anyLib(['channels']), allow: external('twilio', 'nodemailer', 'mailparser', 'imapflow') },
  // Protocol fakes and tests drive real servers (Dovecot over IMAP) and read what they received.
  { from: { file: { categories: 'test' } }, allow: external('nodemailer', 'mailparser', 'imapflow') },
  {
    disallow: external('bullmq'),
    message: '`bullmq` may only be used in libs/jobs and apps/worker `*.processor.ts` files.',
  },
  { from: anyLib(['jobs']), allow: external('bullmq') },
  {
    from: { element: { type: 'app', captured: { app: 'worker' } }, file: { categories: 'processor' } },
    allow: external('bullmq'),
  },
  {
    from: { element: { type: 'app' } },
    disallow: external('typeorm'),
    message: '`typeorm` belongs in lib repositories/entities, not in apps/{{from.element.captured.app}}.',
  },
];

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'coverage/', '.tmp/', 'bench/results/'], 'parley/ignores'),
  jsRecommended,

  // Plain JS (scripts, this file): basic rules only, no type information.
  {
    name: 'parley/js',
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: nodeGlobals },
  },
  {
    name: 'parley/cjs',
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...nodeGlobals, ...commonJsGlobals } },
  },

  // TypeScript: type-checked rules.
  {
    name: 'parley/typescript',
    files: ['**/*.{ts,tsx,mts,cts}'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        // Also read from tsconfig.json; stated here so consistent-type-imports never turns a
        // constructor-injected class into a type-only import (Nest DI needs the runtime value).
        emitDecoratorMetadata: true,
        experimentalDecorators: true,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  // Architecture boundaries (DESIGN.md §2), checked on every linted file.
  {
    name: 'parley/boundaries',
    files: ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { './scripts/eslint-ts-resolver.cjs': { project: 'tsconfig.json' } },
      'boundaries/root-path': import.meta.dirname,
      'boundaries/elements': [
        { type: 'app', pattern: 'apps/*', capture: ['app'], partialMatch: false },
        { type: 'lib', pattern: 'libs/*', capture: ['lib'], partialMatch: false },
        { type: 'migrations', pattern: 'migrations', partialMatch: false },
        { type: 'test', pattern: 'test', partialMatch: false },
        { type: 'scripts', pattern: 'scripts', partialMatch: false },
        { type: 'bench', pattern: 'bench', partialMatch: false },
      ],
      'boundaries/files': [
        { category: 'lib-entry', pattern: 'libs/*/src/index.ts' },
        { category: 'processor', pattern: 'apps/worker/src/**/*.processor.ts' },
        { category: 'data-source-options', pattern: 'libs/database/src/data-source.options.ts' },
        { category: 'test', pattern: ['**/*.spec.ts', 'test/**', 'libs/testing/**'] },
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        { default: 'allow', checkAllOrigins: true, policies: boundaryPolicies },
      ],
    },
  },

  // Configuration is read in libs/config only (validated once at boot).
  {
    name: 'parley/process-env',
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    ignores: ['libs/config/**', 'test/**', 'libs/testing/**', 'scripts/**', 'bench/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through AppConfig (@parley/config).',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: ['process', 'node:process'].map((name) => ({
            name,
            importNames: ['env'],
            message: 'Read configuration through AppConfig (@parley/config).',
          })),
        },
      ],
    },
  },

  // Tests may poke at untyped mocks and pass methods around.
  {
    name: 'parley/tests',
    files: ['**/*.spec.ts', 'test/**/*.ts', 'libs/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      '@typescript-eslint/no-unsafe-unary-minus': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },

  prettier,
);
