// Runs every test tier in order and prints one totals line: "Tests: N passed, M failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const tiers = [
  { name: 'unit', args: ['--selectProjects', 'unit'] },
  // jest ignores `testTimeout` inside a project entry (it is a global option), so the tiers' generous
  // safety net from jest.config.mjs is passed here; otherwise the default 5 s applies on a busy machine.
  { name: 'integration', args: ['--selectProjects', 'integration', '--runInBand', '--testTimeout=20000'] },
  { name: 'e2e', args: ['--selectProjects', 'e2e', '--runInBand', '--testTimeout=20000'] },
  // Faults (test/chaos): bounded sizes here; `npm run chaos` runs the long form (CHAOS_SCALE=full).
  { name: 'chaos', args: ['--selectProjects', 'chaos', '--runInBand', '--testTimeout=20000'] },
];
const only = process.argv.slice(2);
// Each run gets its own test databases, so two runs on one machine (CI and a developer) never collide.
const runId = process.env.PARLEY_TEST_RUN ?? `${process.pid}`;
mkdirSync('test-results', { recursive: true });

let passed = 0;
let failed = 0;
let exitCode = 0;
for (const tier of tiers.filter((t) => only.length === 0 || only.includes(t.name))) {
  // The browser tests (test/e2e/web-*) drive the built web app, served by the api from dist/web.
  if (tier.name === 'e2e') {
    const build = spawnSync('npm', ['run', 'build:web', '--silent'], { stdio: 'inherit' });
    if (build.status !== 0) exitCode = 1;
  }
  const output = `test-results/${tier.name}.json`;
  rmSync(output, { force: true });
  const run = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      '--no-warnings',
      'node_modules/jest/bin/jest.js',
      ...tier.args,
      '--json',
      `--outputFile=${output}`,
    ],
    {
      stdio: 'inherit',
      env: { ...process.env, PARLEY_TEST_RUN: runId, FORCE_COLOR: process.env.CI ? '0' : '1' },
    },
  );
  let result = null;
  try {
    result = JSON.parse(readFileSync(output, 'utf8'));
  } catch {
    // jest did not write a report: count the tier as failed below
  }
  const tierPassed = result?.numPassedTests ?? 0;
  const tierFailed = (result?.numFailedTests ?? 0) + (result ? result.numRuntimeErrorTestSuites : 1);
  console.log(`[${tier.name}] ${tierPassed} passed, ${tierFailed} failed`);
  passed += tierPassed;
  failed += tierFailed;
  if (run.status !== 0) exitCode = 1;
}
if (passed === 0) exitCode = 1;
if (failed > 0) exitCode = 1;
console.log(`Tests: ${passed} passed, ${failed} failed`);
process.exit(exitCode);
