// eslint-plugin-boundaries resolver (eslint-module-utils interface v2) that resolves imports exactly
// like `tsc` does: tsconfig `paths` aliases (@parley/<lib>) and NodeNext `./x.js` → `./x.ts` specifiers.
// Used instead of eslint-import-resolver-typescript so linting needs no extra dependency.
'use strict';

const { isBuiltin } = require('node:module');
const path = require('node:path');
const ts = require('typescript');

/** @type {Map<string, { options: import('typescript').CompilerOptions, cache: import('typescript').ModuleResolutionCache }>} */
const projects = new Map();

function loadProject(tsconfigPath) {
  let project = projects.get(tsconfigPath);
  if (!project) {
    const { config, error } = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
    if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
    const { options } = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(tsconfigPath));
    const cache = ts.createModuleResolutionCache(path.dirname(tsconfigPath), (name) => name, options);
    project = { options, cache };
    projects.set(tsconfigPath, project);
  }
  return project;
}

exports.interfaceVersion = 2;

/**
 * @param {string} source the import specifier
 * @param {string} file absolute path of the importing file
 * @param {{ project?: string }} [config] `project`: tsconfig path, relative to the repo root
 */
exports.resolve = function resolve(source, file, config) {
  if (isBuiltin(source)) return { found: true, path: null };
  const tsconfigPath = path.resolve(__dirname, '..', config?.project ?? 'tsconfig.json');
  const { options, cache } = loadProject(tsconfigPath);
  const mode = /\.c[jt]s$/.test(file) ? ts.ModuleKind.CommonJS : ts.ModuleKind.ESNext;
  const { resolvedModule } = ts.resolveModuleName(source, file, options, ts.sys, cache, undefined, mode);
  return resolvedModule ? { found: true, path: resolvedModule.resolvedFileName } : { found: false };
};
