import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `metrics_facts(m)` with further facts: VALUES rows (`metric, kind, at, agent_id, value`) and
 * UNION ALL branches (`metric, at, agent_id, bucket, value`). Later migrations redefine the
 * function through this, so every fact is written down once.
 */
export function metricsFactsFunction(values: string[] = [], unions: string[] = []): string {
  return `
      CREATE OR REPLACE FUNCTION metrics_facts(m conversation_metrics)
        RETURNS TABLE (metric text, at timestamptz, agent_id uuid, bucket integer, value bigint)
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT f.metric, f.at, f.agent_id,
                 CASE f.kind WHEN 'histogram' THEN metrics_bucket(f.value)
                             WHEN 'bounds' THEN width_bucket(f.value, ARRAY[60, 300, 900, 3600, 14400, 86400, 259200]::bigint[])
                             ELSE 0 END,
                 f.value
            FROM (VALUES
${[FACT_VALUES.trimEnd(), ...values.map((row) => `              ${row}`)].join(',\n')}\n            ) AS f(metric, kind, at, agent_id, value)
           WHERE f.at IS NOT NULL AND f.value IS NOT NULL
${FACT_UNIONS}${unions
    .map((branch) => `          UNION ALL\n          ${branch}\n`)
    .join('')}        $$`;
}

const FACT_VALUES = `              ('opened', 'count', m.started_at, m.assignee_id, CASE WHEN m.cycle = 0 THEN 1::bigint END),
              ('reopened_cycles', 'count', m.started_at, m.assignee_id, CASE WHEN m.cycle > 0 THEN 1 END),
              ('customer_messages', 'count', m.started_at, m.assignee_id, m.customer_messages),
              ('sla_next_met', 'count', m.started_at, m.assignee_id,
                CASE WHEN m.sla_policy_id IS NOT NULL THEN m.next_reply_targets - m.next_reply_breaches END),
              ('sla_next_breached', 'count', m.started_at, m.assignee_id,
                CASE WHEN m.sla_policy_id IS NOT NULL THEN m.next_reply_breaches END),
              ('sla_open_waits', 'count', m.started_at, m.assignee_id,
                CASE WHEN m.sla_policy_id IS NOT NULL AND m.open_wait_due_at IS NOT NULL THEN 1 END),
              ('frt', 'histogram', m.first_response_at, m.first_responder_id, m.frt_seconds),
              ('frt_business', 'histogram', m.first_response_at, m.first_responder_id,
                CASE WHEN m.frt_seconds IS NOT NULL THEN m.frt_business_seconds END),
              ('frt_bounds', 'bounds', m.first_response_at, m.first_responder_id, m.frt_seconds),
              ('first_resolution', 'histogram', m.resolved_at, m.resolved_by,
                CASE WHEN m.cycle = 0 THEN m.resolution_seconds END),
              ('first_resolution_business', 'histogram', m.resolved_at, m.resolved_by,
                CASE WHEN m.cycle = 0 AND m.resolution_seconds IS NOT NULL THEN m.resolution_business_seconds END),
              ('full_resolution', 'histogram', m.resolved_at, m.resolved_by,
                CASE WHEN m.last_resolve THEN m.resolution_seconds END),
              ('full_resolution_business', 'histogram', m.resolved_at, m.resolved_by,
                CASE WHEN m.last_resolve AND m.resolution_seconds IS NOT NULL THEN m.resolution_business_seconds END),
              ('full_resolution_bounds', 'bounds', m.resolved_at, m.resolved_by,
                CASE WHEN m.last_resolve THEN m.resolution_seconds END),
              ('active_resolution', 'histogram', m.resolved_at, m.resolved_by,
                CASE WHEN m.last_resolve AND m.resolution_seconds IS NOT NULL THEN m.active_resolution_seconds END),
              ('active_resolution_business', 'histogram', m.resolved_at, m.resolved_by,
                CASE WHEN m.last_resolve AND m.resolution_seconds IS NOT NULL THEN m.active_resolution_business_seconds END),
              ('resolved_cycles', 'count', m.resolved_at, m.resolved_by, 1),
              ('resolved_conversations', 'count', m.resolved_at, m.resolved_by, CASE WHEN m.last_resolve THEN 1 END),
              ('channel_switches', 'count', m.resolved_at, m.resolved_by, m.channel_switches),
              ('resolved_customer_messages', 'count', m.resolved_at, m.resolved_by, m.customer_messages),
              ('repeat_contacts', 'count', m.resolved_at, m.resolved_by, CASE WHEN m.repeat_contact THEN 1 END),
              ('handle', 'histogram', m.resolved_at, m.resolved_by, m.handle_seconds),
              ('fcr_rows', 'count', m.resolved_at, m.resolved_by,
                CASE WHEN m.cycle = 0 AND m.fcr_window_ends_at IS NOT NULL THEN 1 END),
              ('fcr_candidates', 'count', m.resolved_at, m.resolved_by,
                CASE WHEN m.cycle = 0 AND m.fcr_window_ends_at IS NOT NULL AND m.fcr_candidate THEN 1 END),
              ('fcr_reopened', 'count', m.resolved_at, m.resolved_by,
                CASE WHEN m.cycle = 0 AND m.fcr_window_ends_at IS NOT NULL AND m.reopened THEN 1 END),
              ('sla_frt_met', 'count', m.frt_due_at, m.first_responder_id,
                CASE WHEN m.first_response_at <= m.frt_due_at THEN 1 END),
              ('sla_frt_late', 'count', m.frt_due_at, m.first_responder_id,
                CASE WHEN m.first_response_at > m.frt_due_at THEN 1 END),
              ('sla_frt_undone', 'count', m.frt_due_at, m.first_responder_id,
                CASE WHEN m.first_response_at IS NULL THEN 1 END),
              ('sla_resolution_met', 'count', m.resolution_due_at, m.resolved_by,
                CASE WHEN m.resolved_at <= m.resolution_due_at THEN 1 END),
              ('sla_resolution_late', 'count', m.resolution_due_at, m.resolved_by,
                CASE WHEN m.resolved_at > m.resolution_due_at THEN 1 END),
              ('sla_resolution_undone', 'count', m.resolution_due_at, m.resolved_by,
                CASE WHEN m.resolved_at IS NULL THEN 1 END)
`;

const FACT_UNIONS = `          UNION ALL
          SELECT v.metric, m.started_at, s.agent_id, metrics_bucket(v.value), v.value
            FROM unnest(m.next_reply_seconds, m.next_reply_business_seconds, m.next_reply_agent_ids)
                   AS s(seconds, business, agent_id),
                 LATERAL (VALUES ('next_reply', s.seconds::bigint), ('next_reply_business', s.business::bigint)) AS v(metric, value)
           WHERE v.value IS NOT NULL
          UNION ALL
          SELECT 'agent_handle', m.resolved_at, h.key::uuid, 0, h.value::bigint
            FROM jsonb_each_text(m.handle_by_agent) AS h
           WHERE m.resolved_at IS NOT NULL
`;

/**
 * Daily rollups of `conversation_metrics` (docs/metrics.md#daily-rollups): `metrics_facts(m)` names
 * every additive fact a metrics row contributes to the reports (placed by a time, attributed to an
 * agent, a count or a value in a histogram bucket); `metrics_daily` sums them per workspace × local
 * day × inbox × channel × team × agent; `metrics_live_facts(m)` are the facts that depend on `now()`
 * and are never rolled up. `metrics_daily_rebuild(workspace)` refills a workspace set-based (the
 * rebuild command, the bench seed and this migration for existing data).
 */
export class DailyRollups1765300000000 implements MigrationInterface {
  name = 'DailyRollups1765300000000';

  async up(db: QueryRunner): Promise<void> {
    // Exact below 50 s, then log-spaced buckets 4 % wide: the geometric middle is within 2 % of any value in it.
    await db.query(`
      CREATE FUNCTION metrics_bucket(value bigint) RETURNS integer
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT CASE WHEN value < 50 THEN value::integer
                      ELSE 50 + floor(ln(value / 50.0) / ln(1.04))::integer END
        $$`);
    await db.query(metricsFactsFunction());
    // Outcomes judged against the clock (FCR window still open, SLA targets not yet due): read from the rows.
    await db.query(`
      CREATE FUNCTION metrics_live_facts(m conversation_metrics)
        RETURNS TABLE (metric text, at timestamptz, agent_id uuid, bucket integer, value bigint)
        LANGUAGE sql STABLE PARALLEL SAFE AS $$
          SELECT f.metric, f.at, f.agent_id, 0, f.value
            FROM (VALUES
              ('fcr_undecided', m.resolved_at, m.resolved_by,
                CASE WHEN m.cycle = 0 AND m.fcr_window_ends_at > now() THEN 1::bigint END),
              ('fcr_pending', m.resolved_at, m.resolved_by,
                CASE WHEN m.cycle = 0 AND m.fcr_window_ends_at > now() AND m.fcr_candidate THEN 1 END),
              ('sla_frt_not_due', m.frt_due_at, m.first_responder_id,
                CASE WHEN m.first_response_at IS NULL AND m.frt_due_at >= now() THEN 1 END),
              ('sla_resolution_not_due', m.resolution_due_at, m.resolved_by,
                CASE WHEN m.resolved_at IS NULL AND m.resolution_due_at >= now() THEN 1 END),
              ('sla_open_waits_not_due', m.started_at, m.assignee_id,
                CASE WHEN m.sla_policy_id IS NOT NULL AND m.open_wait_due_at >= now() THEN 1 END)
            ) AS f(metric, at, agent_id, value)
           WHERE f.at IS NOT NULL AND f.value IS NOT NULL
        $$`);
    // The rows that can have a live fact, each found through a small partial index.
    await db.query(
      `CREATE INDEX conversation_metrics_fcr_window_idx ON conversation_metrics (workspace_id, fcr_window_ends_at) WHERE cycle = 0`,
    );
    await db.query(
      `CREATE INDEX conversation_metrics_frt_running_idx ON conversation_metrics (workspace_id, frt_due_at) WHERE first_response_at IS NULL`,
    );
    await db.query(
      `CREATE INDEX conversation_metrics_resolution_running_idx ON conversation_metrics (workspace_id, resolution_due_at) WHERE resolved_at IS NULL`,
    );
    await db.query(
      `CREATE INDEX conversation_metrics_open_wait_idx ON conversation_metrics (workspace_id, open_wait_due_at) WHERE open_wait_due_at IS NOT NULL`,
    );
    // The time zone the workspace's days were cut in (reports read the rollups only while it is the workspace's).
    await db.query(`
      CREATE TABLE metrics_daily_zones (
        workspace_id uuid PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
        timezone text NOT NULL
      )`);
    // by_agent: rows per agent (agent filter, leaderboard) or summed over agents (agent_id null).
    await db.query(`
      CREATE TABLE metrics_daily (
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        by_agent boolean NOT NULL,
        day date NOT NULL,
        inbox_id uuid,
        channel text,
        team_id uuid,
        agent_id uuid,
        metric text NOT NULL,
        bucket integer NOT NULL,
        n bigint NOT NULL,
        total bigint NOT NULL,
        CONSTRAINT metrics_daily_key UNIQUE NULLS NOT DISTINCT
          (workspace_id, by_agent, metric, day, inbox_id, channel, team_id, agent_id, bucket)
      )`);
    await db.query(`
      CREATE VIEW metrics_daily_facts AS
        SELECT m.workspace_id, m.conversation_id, (f.at AT TIME ZONE z.timezone)::date AS day, m.inbox_id,
               m.channel, m.team_id, f.agent_id, f.metric, f.bucket, f.value
          FROM conversation_metrics m
          JOIN metrics_daily_zones z ON z.workspace_id = m.workspace_id
          CROSS JOIN LATERAL metrics_facts(m) AS f`);
    await db.query(`
      CREATE FUNCTION metrics_daily_rebuild(ws uuid) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
          DELETE FROM metrics_daily WHERE workspace_id = ws;
          INSERT INTO metrics_daily_zones (workspace_id, timezone)
            SELECT id, timezone FROM workspaces WHERE id = ws
            ON CONFLICT (workspace_id) DO UPDATE SET timezone = excluded.timezone;
          INSERT INTO metrics_daily (workspace_id, by_agent, day, inbox_id, channel, team_id, agent_id, metric, bucket, n, total)
            SELECT workspace_id, true, day, inbox_id, channel, team_id, agent_id, metric, bucket, count(*), sum(value)
              FROM metrics_daily_facts WHERE workspace_id = ws
             GROUP BY workspace_id, day, inbox_id, channel, team_id, agent_id, metric, bucket;
          INSERT INTO metrics_daily (workspace_id, by_agent, day, inbox_id, channel, team_id, agent_id, metric, bucket, n, total)
            SELECT workspace_id, false, day, inbox_id, channel, team_id, NULL, metric, bucket, sum(n), sum(total)
              FROM metrics_daily WHERE workspace_id = ws AND by_agent
             GROUP BY workspace_id, day, inbox_id, channel, team_id, metric, bucket;
        END
      $$`);
    await db.query(`SELECT metrics_daily_rebuild(id) FROM workspaces`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION IF EXISTS metrics_daily_rebuild(uuid)`);
    await db.query(`DROP VIEW IF EXISTS metrics_daily_facts`);
    await db.query(`DROP TABLE IF EXISTS metrics_daily`);
    await db.query(`DROP TABLE IF EXISTS metrics_daily_zones`);
    for (const index of ['fcr_window', 'frt_running', 'resolution_running', 'open_wait']) {
      await db.query(`DROP INDEX IF EXISTS conversation_metrics_${index}_idx`);
    }
    await db.query(`DROP FUNCTION IF EXISTS metrics_live_facts(conversation_metrics)`);
    await db.query(`DROP FUNCTION IF EXISTS metrics_facts(conversation_metrics)`);
    await db.query(`DROP FUNCTION IF EXISTS metrics_bucket(bigint)`);
  }
}
