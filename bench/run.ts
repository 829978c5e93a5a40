/**
 * `npm run bench [-- --only views,reports]`: boots the compiled api and worker against the bench
 * database (seeded by `npm run bench:seed`), measures each part next to a baseline measured in the
 * same run, prints the table and writes bench/results/latest.json. See docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import pg from 'pg';
import type { BenchContext, BenchPart } from './lib/context.js';
import { login } from './lib/http.js';
import { PARTS, parseOptions, type Part, type SeedMeta } from './lib/options.js';
import { figure, formatTable, round, writeResults, type Figure } from './lib/results.js';
import { cpuMs, rssMb, sleep, startStack } from './lib/stack.js';
import { ingest } from './parts/ingest.js';
import { realtime } from './parts/realtime.js';
import { reports } from './parts/reports.js';
import { surveys } from './parts/surveys.js';
import { views } from './parts/views.js';

/** Idle memory of the api and the worker after boot, next to a bare Node process. */
const idle: BenchPart = async ({ stack }) => {
  await sleep(5_000);
  const bareRss = await bareNodeRss();
  return [
    figure('idle memory api', stack.api.rssMb(), 'MB RSS', { baseline: bareRss }),
    figure('idle memory worker', stack.worker.rssMb(), 'MB RSS', { baseline: bareRss }),
  ];
};

async function bareNodeRss(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await sleep(1_000);
  const rss = rssMb(child.pid ?? 0);
  child.kill();
  return rss;
}

/**
 * Waits (at most 3 minutes) until the previous part's aftermath is over — the outbox drained and the api and
 * worker nearly idle — so each part measures the stack at rest, not the backlog of the one before.
 */
async function settle(context: BenchContext): Promise<number> {
  const started = Date.now();
  const pids = [context.stack.api, context.stack.worker].map((child) => child.process.pid ?? 0);
  while (Date.now() - started < 180_000) {
    const { rows } = await context.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM outbox WHERE dispatched_at IS NULL`,
    );
    const before = pids.map(cpuMs);
    await sleep(1_000);
    const busy = pids.some((pid, k) => cpuMs(pid) - before[k] > 100);
    if (rows[0].n === '0' && !busy) break;
  }
  return (Date.now() - started) / 1000;
}

const RUNNERS: Record<Part, BenchPart> = { idle, views, reports, ingest, realtime, surveys };

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = loadavg().map((l) => round(l, 2));
  const parts = options.only.length ? (options.only as Part[]) : [...PARTS];
  const db = new pg.Pool({ connectionString: options.databaseUrl, max: 4 });
  const meta = await db
    .query<{ meta: SeedMeta }>(`SELECT meta FROM bench_meta`)
    .then((r) => r.rows[0].meta)
    .catch((error: Error) => {
      throw new Error(
        `no seeded bench database at ${options.databaseUrl} (run npm run bench:seed): ${error.message}`,
      );
    });
  console.log(
    `Bench on ${meta.conversations} conversations, ${meta.messages} messages, ${meta.contacts} contacts ` +
      `(scale ${meta.scale}); parts: ${parts.join(', ')}; load average ${loadavg()
        .map((l) => round(l, 2))
        .join(' ')}`,
  );
  const stack = await startStack(options);
  const rows: Figure[] = [];
  try {
    const context: BenchContext = {
      options,
      meta,
      stack,
      db,
      adminToken: await login(stack.url, meta.adminEmail, meta.password),
      agentToken: await login(stack.url, meta.agentEmails[0], meta.password),
      log: (line) => console.log(line),
    };
    for (const part of parts) {
      const started = Date.now();
      const waited = await settle(context);
      console.log(`${part}… (after ${waited.toFixed(0)} s settling)`);
      try {
        rows.push(...(await RUNNERS[part](context)));
      } catch (error) {
        console.error(`  ${part} failed: ${(error as Error).stack ?? String(error)}`);
        rows.push(figure(`${part} (failed)`, null, '', { note: (error as Error).message.slice(0, 200) }));
      }
      console.log(`  ${part}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  } finally {
    await stack.stop();
    await db.end();
  }
  console.log(`\n${formatTable(rows)}\n`);
  writeResults(options.output, rows, {
    startedAt,
    loadAverageAtStart,
    loadAverageAtEnd: loadavg().map((l) => round(l, 2)),
    dataSet: {
      scale: meta.scale,
      conversations: meta.conversations,
      messages: meta.messages,
      contacts: meta.contacts,
      seedSeconds: meta.seedSeconds,
    },
    parts,
  });
  console.log(`Wrote ${options.output}`);
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
