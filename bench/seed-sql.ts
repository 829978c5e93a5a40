import { createHash } from 'node:crypto';
import type { Client } from 'pg';

/** What the bulk SQL needs from the accounts created through the real services. */
export interface SeedPlanInput {
  workspaceId: string;
  conversations: number;
  contacts: number;
  agentIds: string[];
  teamIds: string[];
  /** In the order of CHANNELS. */
  inboxIds: string[];
  labelIds: string[];
  apiInboxId: string;
  /** Messages of the one contact whose timeline is measured. */
  timelineMessages: number;
}

/** Inbox order of the seed: conversation j goes to CHANNELS[j % 5]. */
export const CHANNELS = ['api', 'sms', 'whatsapp', 'email', 'webchat'] as const;

/**
 * A v4-shaped uuid from md5(text), as the SQL function `bench_uuid` derives ids from row numbers (so
 * every table can be generated independently and still point at the right rows).
 */
export function benchUuid(text: string): string {
  const h = createHash('md5').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20)}`;
}

const BENCH_UUID_FUNCTION = `
  CREATE OR REPLACE FUNCTION bench_uuid(text) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (substr(h, 1, 12) || '4' || substr(h, 14, 3) || '8' || substr(h, 18, 15))::uuid FROM md5($1) AS h
  $$`;

/**
 * Generates contacts, identities, conversations, messages, events, metrics, labels and surveys with
 * INSERT … SELECT generate_series, inside the caller's session. Secondary indexes of the big tables are
 * dropped first and rebuilt after (much faster than maintaining them row by row), and FK triggers are
 * off for the session (the generated keys are consistent by construction).
 */
export async function generate(
  db: Client,
  input: SeedPlanInput,
  log: (line: string) => void = () => {},
  helper?: Client,
): Promise<void> {
  const step = async (label: string, sql: string, params: unknown[] = []) => {
    const started = Date.now();
    const result = await db.query(sql, params);
    log(`  ${label}: ${result.rowCount ?? 0} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  /** The messages, the biggest step, in two halves (even and odd conversations) on two sessions when given a helper. */
  const halves = async (label: string, sql: string, params: unknown[]) => {
    const started = Date.now();
    const sessions = helper ? [db, helper] : [db];
    const results = await Promise.all(
      sessions.map((session, k) => session.query(sql, [...params, sessions.length, k])),
    );
    const rows = results.reduce((sum, r) => sum + (r.rowCount ?? 0), 0);
    log(`  ${label}: ${rows} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  await db.query(BENCH_UUID_FUNCTION);
  for (const session of helper ? [db, helper] : [db]) {
    await session.query(`SET session_replication_role = replica`);
    await session.query(`SET synchronous_commit = off`);
  }
  await db.query(`SET maintenance_work_mem = '512MB'`);
  await db.query(`SET max_parallel_maintenance_workers = 2`);

  const big = [
    'contacts',
    'contact_identities',
    'conversations',
    'messages',
    'conversation_events',
    'conversation_metrics',
    'surveys',
    'conversation_labels',
  ];
  const { rows: indexes } = await db.query<{ indexname: string; indexdef: string }>(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [big],
  );
  for (const index of indexes) await db.query(`DROP INDEX ${index.indexname}`);

  const { workspaceId: ws, conversations: n, contacts: c } = input;
  // The plan: one row per conversation with everything derived from its number j.
  await step(
    'plan',
    `CREATE UNLOGGED TABLE bench_plan AS
     SELECT j,
            bench_uuid('conv-' || j) AS id,
            ((j - 1) % $2) + 1 AS ci,
            bench_uuid('contact-' || (((j - 1) % $2) + 1)) AS contact_id,
            j % 5 AS channel_idx,
            (j % $3) AS agent_idx,
            CASE WHEN (j - 1) % $2 = 0 THEN greatest(2, ceil($4::numeric / (($1 - 1) / $2 + 1))::int)
                 ELSE 2 + (j * 7) % 17 END AS cnt,
            60 + (j % 7) * 60 AS gap,
            now() - interval '365 days' * (($1 - j)::float8 / $1) - interval '2 hours' AS opened_at,
            CASE WHEN j > $1 - $2 AND j % 6 = 0
                 THEN (ARRAY['open', 'open', 'pending', 'snoozed'])[(j / 6) % 4 + 1] ELSE 'resolved' END AS status
       FROM generate_series(1, $1) AS j`,
    [n, c, input.agentIds.length, input.timelineMessages],
  );
  await db.query(`ALTER TABLE bench_plan ADD PRIMARY KEY (j)`);
  await db.query(`ANALYZE bench_plan`);

  await step(
    'contacts',
    `INSERT INTO contacts (id, workspace_id, name, email, phone, attributes, last_activity_at, created_at, updated_at)
     SELECT bench_uuid('contact-' || i), $1, 'Customer ' || i,
            CASE WHEN i % 3 <> 0 THEN 'customer' || i || '@example.com' END,
            '+1555' || lpad(i::text, 7, '0'),
            jsonb_build_object('plan', (ARRAY['free', 'pro', 'enterprise'])[i % 3 + 1]),
            now() - interval '1 minute' * i, now() - interval '400 days', now()
       FROM generate_series(1, $2) AS i`,
    [ws, c],
  );
  await step(
    'contact identities',
    `INSERT INTO contact_identities (id, workspace_id, contact_id, kind, value, scope_inbox_id, verified, created_at, last_seen_at)
     SELECT bench_uuid('ident-' || k.kind || '-' || i), $1, bench_uuid('contact-' || i), k.kind,
            CASE k.kind WHEN 'phone' THEN '+1555' || lpad(i::text, 7, '0')
                        WHEN 'email' THEN 'customer' || i || '@example.com'
                        ELSE 'customer-' || i END,
            CASE WHEN k.kind = 'external' THEN $3::uuid END, k.kind <> 'external', now() - interval '400 days', now()
       FROM generate_series(1, $2) AS i
       JOIN (VALUES ('phone', 0), ('email', 1), ('external', 2)) AS k(kind, rank)
         ON k.rank = 0 OR (k.rank = 1 AND i % 3 <> 0) OR (k.rank = 2 AND i % 3 = 2)`,
    [ws, c, input.apiInboxId],
  );
  await step(
    'conversations',
    `INSERT INTO conversations (id, workspace_id, contact_id, status, assignee_id, team_id, priority, subject,
        reply_inbox_id, reply_identity_id, last_channel, opened_at, first_response_at, resolved_at, waiting_since,
        last_message_at, snoozed_until, messages_count, customer_messages_count, agent_replies_count,
        assigned_at, assignment_reason, assignment_count, created_at, updated_at)
     SELECT p.id, $1, p.contact_id, p.status,
            CASE WHEN p.status <> 'resolved' AND p.j % 7 = 0 THEN NULL ELSE ($2::uuid[])[p.agent_idx + 1] END,
            ($3::uuid[])[p.agent_idx % array_length($3::uuid[], 1) + 1],
            (p.j % 5)::smallint, CASE WHEN p.channel_idx = 3 THEN 'Order #' || p.j END,
            ($4::uuid[])[p.channel_idx + 1],
            CASE WHEN p.channel_idx = 3 AND p.ci % 3 <> 0 THEN bench_uuid('ident-email-' || p.ci)
                 WHEN p.channel_idx = 0 AND p.ci % 3 = 2 THEN bench_uuid('ident-external-' || p.ci)
                 ELSE bench_uuid('ident-phone-' || p.ci) END,
            ($5::text[])[p.channel_idx + 1],
            p.opened_at, p.opened_at + make_interval(secs => 2 * p.gap),
            CASE WHEN p.status = 'resolved' THEN p.opened_at + make_interval(secs => (p.cnt + 1) * p.gap) END,
            CASE WHEN p.status IN ('open', 'pending') AND p.cnt % 2 = 1
                 THEN p.opened_at + make_interval(secs => p.cnt * p.gap) END,
            p.opened_at + make_interval(secs => p.cnt * p.gap),
            CASE WHEN p.status = 'snoozed' THEN now() + interval '3 days' END,
            p.cnt, (p.cnt + 1) / 2, p.cnt / 2,
            p.opened_at, 'auto', 1, p.opened_at, p.opened_at + make_interval(secs => p.cnt * p.gap)
       FROM bench_plan p`,
    [ws, input.agentIds, input.teamIds, input.inboxIds, CHANNELS],
  );
  await halves(
    'messages',
    `INSERT INTO messages (workspace_id, conversation_id, contact_id, inbox_id, identity_id, channel, direction,
        sender_type, author_id, kind, body, external_id, status, created_at, sent_at, delivered_at, updated_at)
     SELECT $1, p.id, p.contact_id, ($2::uuid[])[p.channel_idx + 1], bench_uuid('ident-phone-' || p.ci),
            ($3::text[])[p.channel_idx + 1],
            CASE WHEN m % 2 = 1 THEN 'in' ELSE 'out' END,
            CASE WHEN m % 2 = 1 THEN 'contact' ELSE 'agent' END,
            CASE WHEN m % 2 = 0 THEN ($4::uuid[])[p.agent_idx + 1] END,
            'text',
            CASE WHEN m % 2 = 1 THEN 'Hello, about my order ' || p.j || ': question ' || m
                 ELSE 'Thanks for writing, here is answer ' || m || ' for order ' || p.j END,
            'bench-' || p.j || '-' || m,
            CASE WHEN m % 2 = 1 THEN 'received' ELSE 'delivered' END,
            p.opened_at + make_interval(secs => m * p.gap),
            CASE WHEN m % 2 = 0 THEN p.opened_at + make_interval(secs => m * p.gap + 1) END,
            CASE WHEN m % 2 = 0 THEN p.opened_at + make_interval(secs => m * p.gap + 2) END,
            p.opened_at + make_interval(secs => m * p.gap)
       FROM bench_plan p, generate_series(1, p.cnt) AS m
      WHERE p.j % $5 = $6`,
    [ws, input.inboxIds, CHANNELS, input.agentIds],
  );
  // The event log the metrics fold reads: assignment, the first customer message and agent reply, the resolve.
  await step(
    'conversation events',
    `INSERT INTO conversation_events (workspace_id, conversation_id, type, actor_type, actor_id, channel, inbox_id, data, occurred_at)
     SELECT $1, p.id, e.type, e.actor_type,
            CASE WHEN e.actor_type = 'agent' THEN ($2::uuid[])[p.agent_idx + 1] WHEN e.actor_type = 'contact' THEN p.contact_id END,
            ($3::text[])[p.channel_idx + 1], ($4::uuid[])[p.channel_idx + 1],
            CASE WHEN e.type = 'assigned' THEN jsonb_build_object('to', ($2::uuid[])[p.agent_idx + 1]) ELSE '{}' END,
            p.opened_at + make_interval(secs => (CASE WHEN e.step < 0 THEN p.cnt + 1 ELSE e.step END) * p.gap)
       FROM bench_plan p
       JOIN (VALUES (0, 'assigned', 'system'), (1, 'customer_message', 'contact'), (2, 'agent_reply', 'agent'),
                    (-1, 'resolved', 'agent')) AS e(step, type, actor_type)
         ON e.step >= 0 OR p.status = 'resolved'`,
    [ws, input.agentIds, CHANNELS, input.inboxIds],
  );
  // One metrics row per conversation cycle (cycle 0: each seeded conversation has one), with the values the fold derives from those events and messages.
  await step(
    'conversation metrics',
    `INSERT INTO conversation_metrics (workspace_id, conversation_id, cycle, contact_id, inbox_id, channel, team_id,
        assignee_id, priority, started_at, first_customer_at, first_response_at, first_responder_id, frt_seconds,
        frt_business_seconds, next_reply_seconds, next_reply_business_seconds, next_reply_agent_ids, resolved_at,
        resolved_by, resolution_seconds, resolution_business_seconds, active_resolution_seconds,
        active_resolution_business_seconds, last_resolve, agent_replies, customer_messages, handle_seconds,
        handle_by_agent, fcr_candidate, fcr_window_ends_at, first_assigned_at, assign_seconds, assignment_count,
        assignment_kinds, computed_seq, computed_at)
     SELECT $1::uuid, c.id, 0, c.contact_id, c.reply_inbox_id, c.last_channel, c.team_id, c.assignee_id,
            c.priority, c.opened_at, p.opened_at + make_interval(secs => p.gap), c.first_response_at,
            ($2::uuid[])[p.agent_idx + 1], p.gap, p.gap / 2,
            array_fill(p.gap, ARRAY[greatest(0, p.cnt / 2 - 1)]), array_fill(p.gap / 2, ARRAY[greatest(0, p.cnt / 2 - 1)]),
            array_fill(($2::uuid[])[p.agent_idx + 1], ARRAY[greatest(0, p.cnt / 2 - 1)]),
            c.resolved_at, CASE WHEN c.resolved_at IS NOT NULL THEN ($2::uuid[])[p.agent_idx + 1] END,
            CASE WHEN c.resolved_at IS NOT NULL THEN p.cnt * p.gap END,
            CASE WHEN c.resolved_at IS NOT NULL THEN p.cnt * p.gap / 2 END,
            CASE WHEN c.resolved_at IS NOT NULL THEN p.cnt * p.gap END,
            CASE WHEN c.resolved_at IS NOT NULL THEN p.cnt * p.gap / 2 END,
            c.resolved_at IS NOT NULL, p.cnt / 2, (p.cnt + 1) / 2, least(600, p.cnt * p.gap),
            jsonb_build_object(($2::uuid[])[p.agent_idx + 1]::text, least(600, p.cnt * p.gap)),
            c.resolved_at IS NOT NULL AND p.cnt <= 3,
            c.resolved_at + interval '7 days', p.opened_at, 0, 1, '{"manual": 1}', 0, now()
       FROM bench_plan p JOIN conversations c ON c.id = p.id`,
    [ws, input.agentIds],
  );
  await step(
    'conversation labels',
    `INSERT INTO conversation_labels (workspace_id, conversation_id, label_id, created_at)
     SELECT $1, p.id, ($2::uuid[])[(p.j / 5) % array_length($2::uuid[], 1) + 1], p.opened_at
       FROM bench_plan p WHERE p.j % 5 = 0`,
    [ws, input.labelIds],
  );
  // CSAT after a third of the resolves: sent at the resolve, a third of those answered.
  await step(
    'surveys',
    `INSERT INTO surveys (workspace_id, kind, contact_id, conversation_id, cycle_resolved_at, group_id, status,
        scheduled_for, sent_at, expires_at, answered_at, channel, inbox_id, score, agent_id, team_id, created_at, updated_at)
     SELECT c.workspace_id, 'csat', c.contact_id, c.id, c.resolved_at, bench_uuid('survey-' || p.j),
            CASE WHEN p.j % 9 = 0 THEN 'answered' WHEN c.resolved_at < now() - interval '7 days' THEN 'expired' ELSE 'sent' END,
            c.resolved_at, c.resolved_at, c.resolved_at + interval '7 days',
            CASE WHEN p.j % 9 = 0 THEN c.resolved_at + interval '1 hour' END,
            c.last_channel, c.reply_inbox_id,
            CASE WHEN p.j % 9 = 0 THEN (1 + (p.j / 9) % 5)::smallint END,
            c.assignee_id, c.team_id, c.resolved_at, c.resolved_at
       FROM bench_plan p JOIN conversations c ON c.id = p.id
      WHERE c.resolved_at IS NOT NULL AND p.j % 3 = 0`,
  );
  // The daily rollups, by the same set-based refill as the rebuild command (migration 1765300000000),
  // with their key added afterwards like the other indexes (inserting into it in random key order was
  // most of the refill's time).
  const [key] = (
    await db.query<{ definition: string }>(
      `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conname = 'metrics_daily_key'`,
    )
  ).rows;
  await db.query(`ALTER TABLE metrics_daily DROP CONSTRAINT metrics_daily_key`);
  await step('daily rollups', `SELECT metrics_daily_rebuild($1)`, [ws]);
  const keyed = Date.now();
  await db.query(`ALTER TABLE metrics_daily ADD CONSTRAINT metrics_daily_key ${key.definition}`);
  log(`  index metrics_daily_key: ${((Date.now() - keyed) / 1000).toFixed(1)} s`);

  for (const index of indexes) {
    const started = Date.now();
    await db.query(index.indexdef);
    log(`  index ${index.indexname}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  await db.query(`DROP TABLE bench_plan`);
  for (const session of helper ? [db, helper] : [db])
    await session.query(`SET session_replication_role = origin`);
  const started = Date.now();
  await db.query(`VACUUM ANALYZE`);
  log(`  vacuum analyze: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
