import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@parley/config';
import { assertDatabaseReachable, ensureDatabase, redactUrl, runMigrations } from '@parley/database';
import { InboxesService } from '@parley/inbox';
import { assertRedisReachable, OutboxRelay } from '@parley/jobs';
import { RetentionService } from '@parley/privacy';
import { MetricsService, RollupsRepository } from '@parley/reporting';
import { SeedModule } from './seed/seed.module.js';
import { SeedService } from './seed/seed.service.js';

const USAGE =
  'usage: cli.js migrate | seed [--demo] | metrics:rebuild [--workspace <id>] | metrics:rollups [--workspace <id>] | ' +
  'secrets:rotate | retention:run';

async function migrate(config: AppConfig): Promise<void> {
  await ensureDatabase(config.env.DATABASE_URL).catch((error: Error) => {
    throw new Error(
      `Cannot reach PostgreSQL at DATABASE_URL=${redactUrl(config.env.DATABASE_URL)}: ${error.message}`,
    );
  });
  const applied = await runMigrations(config.env);
  console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database schema is up to date');
}

/** Runs one command inside the application context, after checking PostgreSQL and Redis answer. */
async function withApp(
  config: AppConfig,
  command: (app: INestApplicationContext) => Promise<void>,
): Promise<void> {
  await assertDatabaseReachable(config.env.DATABASE_URL);
  await assertRedisReachable(config.env.REDIS_URL);
  const app = await NestFactory.createApplicationContext(SeedModule, { logger: ['error', 'warn'] });
  try {
    await command(app);
  } finally {
    await app.close();
  }
}

async function seed(app: INestApplicationContext, config: AppConfig, demo: boolean): Promise<void> {
  const report = await app.get(SeedService).seed(demo);
  await app.get(OutboxRelay).drain();
  const banner = [
    '',
    report.created ? 'Parley workspace created.' : 'Parley workspace already exists (seed skipped).',
    `  Open ${config.env.PUBLIC_URL}/api/docs`,
    `  Admin login: ${report.adminEmail} / ${report.created ? report.adminPassword : '(unchanged)'}`,
    ...report.lines.map((line) => `  ${line}`),
    '',
  ];
  console.log(banner.join('\n'));
}

/**
 * Recomputes every conversation's metrics from the event log (after a definition or calendar
 * change) and reports how many stored rows the incremental path had differently.
 */
async function rebuildMetrics(app: INestApplicationContext, workspaceId: string | null): Promise<void> {
  const report = await app
    .get(MetricsService)
    .rebuild(workspaceId, (done: number) => process.stdout.write(`\r  ${done} conversations`));
  console.log(
    `\nRebuilt ${report.cycles} cycles of ${report.conversations} conversations; ` +
      `${report.mismatched.length} differed from the incremental result` +
      (report.mismatched.length ? ` (first: ${report.mismatched.slice(0, 5).join(', ')})` : '') +
      `; ${report.rollupMismatches} daily rollup rows differed from the rebuilt ones`,
  );
}

/** Refills only the daily rollups from the stored metric rows (after a time zone change, say). */
async function rebuildRollups(app: INestApplicationContext, workspaceId: string | null): Promise<void> {
  const report = await app.get(RollupsRepository).rebuild(workspaceId);
  console.log(
    `Rebuilt the daily rollups of ${report.workspaces} workspaces; ` +
      `${report.mismatchedCells} rows differed from the incremental result`,
  );
}

/** Re-seals every stored secret with ENCRYPTION_KEY (after moving the old key to ENCRYPTION_KEYS_PREVIOUS). */
async function rotateSecrets(app: INestApplicationContext): Promise<void> {
  const report = await app.get(InboxesService).resealSecrets();
  console.log(
    `Secrets: ${report.rows} rows, ${report.resealed} values re-sealed with the current key, ` +
      `${report.alreadyCurrent} already current`,
  );
}

/** Applies every inbox's retention window now (the worker also does it daily). */
async function runRetention(app: INestApplicationContext): Promise<void> {
  const reports = await app.get(RetentionService).run();
  for (const report of reports) {
    console.log(
      `inbox ${report.inboxId}: ${report.messages} messages, ${report.inboundEvents} raw events and ` +
        `${report.files} files redacted before ${report.before} (${report.retentionDays} days)`,
    );
  }
  console.log(
    reports.length ? `Retention applied to ${reports.length} inboxes` : 'No inbox has a retention window',
  );
}

function workspaceFlag(flags: string[]): string | null {
  const at = flags.indexOf('--workspace');
  return at >= 0 ? (flags[at + 1] ?? null) : null;
}

async function main(): Promise<void> {
  const [command, ...flags] = process.argv.slice(2);
  const config = new AppConfig();
  switch (command) {
    case 'migrate':
      return migrate(config);
    case 'seed':
      return withApp(config, (app) => seed(app, config, flags.includes('--demo')));
    case 'metrics:rebuild':
      return withApp(config, (app) => rebuildMetrics(app, workspaceFlag(flags)));
    case 'metrics:rollups':
      return withApp(config, (app) => rebuildRollups(app, workspaceFlag(flags)));
    case 'secrets:rotate':
      return withApp(config, rotateSecrets);
    case 'retention:run':
      return withApp(config, runRetention);
    default:
      throw new Error(USAGE);
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
