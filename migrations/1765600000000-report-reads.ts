import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Faster report reads (docs/benchmarks.md, "Reports: index-only rollups and counted live facts"):
 * - `metrics_daily_key` carries `n` and `total`, so a report reads its rollup rows by index-only scan
 *   (a 90-day leaderboard touched one heap page per row: 112,500 pages). A rollup update now writes
 *   an index entry too (no HOT update); bottom-up deletion keeps the index from bloating.
 * - The clock-dependent facts are counted per fact through their partial indexes by the report query
 *   (`LIVE_FACTS` in reports.repository.ts), not expanded row by row by `metrics_live_facts`.
 */
export class ReportReads1765600000000 implements MigrationInterface {
  name = 'ReportReads1765600000000';

  async up(db: QueryRunner): Promise<void> {
    await this.key(db, 'INCLUDE (n, total)');
    await db.query(`DROP FUNCTION metrics_live_facts(conversation_metrics)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await this.key(db, '');
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
  }

  private async key(db: QueryRunner, include: string): Promise<void> {
    await db.query(`ALTER TABLE metrics_daily DROP CONSTRAINT metrics_daily_key`);
    await db.query(`
      ALTER TABLE metrics_daily ADD CONSTRAINT metrics_daily_key UNIQUE NULLS NOT DISTINCT
        (workspace_id, grain, metric, day, inbox_id, channel, team_id, agent_id, bucket) ${include}`);
  }
}
