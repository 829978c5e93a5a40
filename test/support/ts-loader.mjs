// Runs the TypeScript sources directly in a child process, the way jest does for the tests: SWC
// strips types (with decorator metadata), `@parley/<lib>` maps to libs/<lib>/src/index.ts and a
// relative `./x.js` to `./x.ts`. Usage: node --import ./test/support/ts-loader.mjs apps/api/src/main.ts
import { register } from 'node:module';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

if (!globalThis.__parleyTsLoader) {
  globalThis.__parleyTsLoader = true;
  register(import.meta.url);
}

export async function resolve(specifier, context, next) {
  const lib = /^@parley\/([a-z-]+)$/.exec(specifier);
  if (lib) return { url: pathToFileURL(`${root}libs/${lib[1]}/src/index.ts`).href, shortCircuit: true };
  if (/^\.{1,2}\//.test(specifier) && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const candidate = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (existsSync(fileURLToPath(candidate))) return { url: candidate.href, shortCircuit: true };
  }
  return next(specifier, context);
}

// The same SWC options as jest's transform (jest.config.mjs), so children run what the tests run.
let swc;
let swcOptions;
export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  swc ??= await import('@swc/core');
  const source = await readFile(fileURLToPath(url), 'utf8');
  swcOptions ??= (await import('../../jest.config.mjs')).default.projects[0].transform['^.+\\.ts$'][1];
  const { code } = await swc.transform(source, { ...swcOptions, filename: fileURLToPath(url) });
  return { format: 'module', source: code, shortCircuit: true };
}
