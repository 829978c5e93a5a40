/**
 * `npm run bench:seed [-- --scale 0.01]`: (re)creates the bench database (BENCH_DATABASE_URL, default
 * parley_bench) with the full schema, a workspace built through the real services (admin, 50 agents,
 * 5 teams, 5 inboxes, an API key) and, set-based, the bulk data: at scale 1 1M conversations, ~10M
 * messages, 300k contacts with 1–3 identities, events, metrics, labels and surveys.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ApiKeysService, MembersService, TeamsService, WorkspacesService } from '@parley/accounts';
import { runMigrations } from '@parley/database';
import { InboxesService } from '@parley/inbox';
import pg from 'pg';
import { SeedModule } from '../apps/api/src/seed/seed.module.js';
import { recreateDatabase } from './lib/database.js';
import { BENCH_ENV, BENCH_WEBHOOK_PORT } from './lib/stack.js';
import { parseOptions, type SeedMeta } from './lib/options.js';
import { CHANNELS, generate, benchUuid } from './seed-sql.js';

const PASSWORD = 'bench-password-1';
const TWILIO_ACCOUNT_SID = `AC${'b'.repeat(32)}`;
const TWILIO_AUTH_TOKEN = 'bench-twilio-auth-token';

/** The accounts part, through the real services (password hashes, encrypted inbox secrets, API key hash). */
async function createAccounts(options: { databaseUrl: string; redisUrl: string }) {
  Object.assign(process.env, {
    ...BENCH_ENV,
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: `parley-bench-seed-${process.pid}`,
  });
  const app = await NestFactory.createApplicationContext(SeedModule, { logger: ['error', 'warn'] });
  try {
    const { workspace, admin } = await app.get(WorkspacesService).create({
      name: 'Parley Bench',
      admin: { email: 'admin@bench.local', name: 'Bench Admin', password: PASSWORD },
    });
    const agentEmails: string[] = [];
    const agentIds: string[] = [];
    for (let i = 1; i <= 50; i += 1) {
      const email = `agent${i}@bench.local`;
      const member = await app
        .get(MembersService)
        .add(workspace.id, { email, name: `Agent ${i}`, password: PASSWORD, role: 'agent', capacity: 20 });
      agentEmails.push(email);
      agentIds.push(member.userId);
    }
    const teams = app.get(TeamsService);
    const teamIds: string[] = [];
    for (let t = 0; t < 5; t += 1) {
      const team = await teams.create(workspace.id, { name: `Team ${t + 1}` });
      // Agent k is in team k % 5, like the conversations the SQL gives them.
      await teams.setMembers(
        workspace.id,
        team.id,
        agentIds.filter((_, k) => k % 5 === t),
      );
      teamIds.push(team.id);
    }
    const inboxes = app.get(InboxesService);
    const configs: Record<(typeof CHANNELS)[number], { config: object; secrets?: Record<string, string> }> = {
      api: { config: { webhookUrl: `http://127.0.0.1:${BENCH_WEBHOOK_PORT}/parley-webhook` } },
      sms: {
        config: { accountSid: TWILIO_ACCOUNT_SID, from: '+15005550006' },
        secrets: { authToken: TWILIO_AUTH_TOKEN },
      },
      whatsapp: {
        config: { accountSid: TWILIO_ACCOUNT_SID, from: '+15005550007' },
        secrets: { authToken: TWILIO_AUTH_TOKEN },
      },
      email: { config: { address: 'support@bench.local' } },
      webchat: { config: {} },
    };
    const inboxIds: string[] = [];
    let apiWebhookSecret = '';
    for (const [k, channel] of CHANNELS.entries()) {
      const { inbox, generatedSecrets } = await inboxes.create(workspace.id, {
        name: `${channel} inbox`,
        channel,
        teamId: teamIds[k],
        ...configs[channel],
        config: configs[channel].config as Record<string, unknown>,
      });
      inboxIds.push(inbox.id);
      if (channel === 'api') apiWebhookSecret = generatedSecrets.webhookSecret;
    }
    const apiKey = (await app.get(ApiKeysService).create(workspace.id, 'bench', admin.id)).key;
    return {
      workspaceId: workspace.id,
      adminEmail: 'admin@bench.local',
      agentEmails,
      agentIds,
      teamIds,
      inboxIds,
      apiKey,
      apiWebhookSecret,
    };
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const conversations = Math.max(100, Math.round(1_000_000 * options.scale));
  const contacts = Math.max(30, Math.round(conversations * 0.3));
  console.log(`Seeding ${options.databaseUrl} at scale ${options.scale}: ${conversations} conversations`);
  await recreateDatabase(options.databaseUrl);
  await runMigrations({ DATABASE_URL: options.databaseUrl, DATABASE_POOL_SIZE: 2 });
  const accounts = await createAccounts(options);
  console.log(`  accounts: ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const db = new pg.Client({ connectionString: options.databaseUrl });
  await db.connect();
  // A second session: the messages are generated in two halves at once (two cores).
  const helper = new pg.Client({ connectionString: options.databaseUrl });
  await helper.connect();
  try {
    const { rows: labels } = await db.query<{ id: string }>(
      `INSERT INTO labels (workspace_id, name) SELECT $1, 'label-' || i FROM generate_series(1, 10) i RETURNING id`,
      [accounts.workspaceId],
    );
    await generate(
      db,
      {
        workspaceId: accounts.workspaceId,
        conversations,
        contacts,
        agentIds: accounts.agentIds,
        teamIds: accounts.teamIds,
        inboxIds: accounts.inboxIds,
        labelIds: labels.map((l) => l.id),
        apiInboxId: accounts.inboxIds[0],
        timelineMessages: 10_000,
      },
      (line) => console.log(line),
      helper,
    );
    const count = async (table: string) =>
      Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    const meta: SeedMeta = {
      scale: options.scale,
      workspaceId: accounts.workspaceId,
      password: PASSWORD,
      adminEmail: accounts.adminEmail,
      agentEmails: accounts.agentEmails,
      agentIds: accounts.agentIds,
      teamIds: accounts.teamIds,
      inboxes: Object.fromEntries(CHANNELS.map((c, k) => [c, accounts.inboxIds[k]])) as SeedMeta['inboxes'],
      apiKey: accounts.apiKey,
      apiWebhookSecret: accounts.apiWebhookSecret,
      twilioAuthToken: TWILIO_AUTH_TOKEN,
      twilioAccountSid: TWILIO_ACCOUNT_SID,
      timelineContactId: benchUuid('contact-1'),
      labelIds: labels.map((l) => l.id),
      conversations: await count('conversations'),
      messages: await count('messages'),
      contacts: await count('contacts'),
      seededAt: new Date().toISOString(),
      seedSeconds: Math.round((Date.now() - started) / 1000),
    };
    await db.query(`CREATE TABLE bench_meta (meta jsonb NOT NULL)`);
    await db.query(`INSERT INTO bench_meta (meta) VALUES ($1)`, [meta]);
    const { rows: size } = await db.query<{ size: string }>(
      `SELECT pg_size_pretty(pg_database_size(current_database())) AS size`,
    );
    console.log(
      `Seeded ${meta.conversations} conversations, ${meta.messages} messages, ${meta.contacts} contacts ` +
        `in ${meta.seedSeconds} s; database size ${size[0].size}`,
    );
  } finally {
    await helper.end();
    await db.end();
  }
}

main().catch((error: Error) => {
  console.error(`bench:seed failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
