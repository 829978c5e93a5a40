import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rollups at several grains (docs/metrics.md#daily-rollups). `metrics_daily.grain` is a bit set of the
 * dimensions a row keeps — 1 inbox, 2 channel, 4 team, 8 agent — the others summed over (null). Reports
 * read the coarsest grain that keeps every dimension they filter or group by: a workspace-wide summary
 * reads one row per day × metric × bucket instead of one per inbox × channel × team combination.
 * Grains 15 and 7 are the former `by_agent` true and false; 8, 4, 2, 1 and 0 are new.
 */
export class RollupGrains1765500000000 implements MigrationInterface {
  name = 'RollupGrains1765500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE metrics_daily ADD COLUMN grain smallint`);
    await db.query(`UPDATE metrics_daily SET grain = CASE WHEN by_agent THEN 15 ELSE 7 END`);
    await db.query(`ALTER TABLE metrics_daily DROP CONSTRAINT metrics_daily_key`);
    await db.query(`ALTER TABLE metrics_daily DROP COLUMN by_agent`);
    await db.query(`ALTER TABLE metrics_daily ALTER COLUMN grain SET NOT NULL`);
    await db.query(`
      ALTER TABLE metrics_daily ADD CONSTRAINT metrics_daily_key UNIQUE NULLS NOT DISTINCT
        (workspace_id, grain, metric, day, inbox_id, channel, team_id, agent_id, bucket)`);
    // The finer grains sum into the coarser ones: agent from 15, the rest from 7 (no agent).
    await db.query(`
      CREATE FUNCTION metrics_daily_regrain(ws uuid) RETURNS void LANGUAGE sql AS $$
        INSERT INTO metrics_daily (workspace_id, grain, day, inbox_id, channel, team_id, agent_id, metric, bucket, n, total)
          SELECT d.workspace_id, g.grain, d.day,
                 CASE WHEN g.grain & 1 <> 0 THEN d.inbox_id END, CASE WHEN g.grain & 2 <> 0 THEN d.channel END,
                 CASE WHEN g.grain & 4 <> 0 THEN d.team_id END, CASE WHEN g.grain & 8 <> 0 THEN d.agent_id END,
                 d.metric, d.bucket, sum(d.n), sum(d.total)
            FROM metrics_daily d
            JOIN (VALUES (8::smallint, 15::smallint), (4, 7), (2, 7), (1, 7), (0, 7)) AS g(grain, source)
              ON d.grain = g.source
           WHERE d.workspace_id = ws
           GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
      $$`);
    await db.query(`
      CREATE OR REPLACE FUNCTION metrics_daily_rebuild(ws uuid) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
          DELETE FROM metrics_daily WHERE workspace_id = ws;
          INSERT INTO metrics_daily_zones (workspace_id, timezone)
            SELECT id, timezone FROM workspaces WHERE id = ws
            ON CONFLICT (workspace_id) DO UPDATE SET timezone = excluded.timezone;
          INSERT INTO metrics_daily (workspace_id, grain, day, inbox_id, channel, team_id, agent_id, metric, bucket, n, total)
            SELECT workspace_id, 15, day, inbox_id, channel, team_id, agent_id, metric, bucket, count(*), sum(value)
              FROM metrics_daily_facts WHERE workspace_id = ws
             GROUP BY workspace_id, day, inbox_id, channel, team_id, agent_id, metric, bucket;
          INSERT INTO metrics_daily (workspace_id, grain, day, inbox_id, channel, team_id, agent_id, metric, bucket, n, total)
            SELECT workspace_id, 7, day, inbox_id, channel, team_id, NULL, metric, bucket, sum(n), sum(total)
              FROM metrics_daily WHERE workspace_id = ws AND grain = 15
             GROUP BY workspace_id, day, inbox_id, channel, team_id, metric, bucket;
          PERFORM metrics_daily_regrain(ws);
        END
      $$`);
    await db.query(`SELECT metrics_daily_regrain(id) FROM workspaces`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM metrics_daily WHERE grain NOT IN (15, 7)`);
    await db.query(`ALTER TABLE metrics_daily ADD COLUMN by_agent boolean`);
    await db.query(`UPDATE metrics_daily SET by_agent = grain = 15`);
    await db.query(`ALTER TABLE metrics_daily DROP CONSTRAINT metrics_daily_key`);
    await db.query(`ALTER TABLE metrics_daily DROP COLUMN grain`);
    await db.query(`ALTER TABLE metrics_daily ALTER COLUMN by_agent SET NOT NULL`);
    await db.query(`
      ALTER TABLE metrics_daily ADD CONSTRAINT metrics_daily_key UNIQUE NULLS NOT DISTINCT
        (workspace_id, by_agent, metric, day, inbox_id, channel, team_id, agent_id, bucket)`);
    await db.query(`
      CREATE OR REPLACE FUNCTION metrics_daily_rebuild(ws uuid) RETURNS void LANGUAGE plpgsql AS $$
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
    await db.query(`DROP FUNCTION IF EXISTS metrics_daily_regrain(uuid)`);
  }
}
