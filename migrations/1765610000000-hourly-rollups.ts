import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hourly rollups for the partial days of a period (docs/metrics.md#daily-rollups): rows of grain 16
 * hold the workspace's facts per UTC hour (`day` the UTC date, `hour` 0–23, no dimension kept). A
 * report without filter reads the whole hours of a partial day from them and only the minutes at its
 * edges from `conversation_metrics`: at most two hours of rows instead of up to half a day.
 */
export class HourlyRollups1765610000000 implements MigrationInterface {
  name = 'HourlyRollups1765610000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE metrics_daily ADD COLUMN hour smallint`);
    await this.key(db, 'day, hour');
    // `at` appended: the hourly grain places a fact by its UTC hour rather than its local day.
    await db.query(`
      CREATE OR REPLACE VIEW metrics_daily_facts AS
        SELECT m.workspace_id, m.conversation_id, (f.at AT TIME ZONE z.timezone)::date AS day, m.inbox_id,
               m.channel, m.team_id, f.agent_id, f.metric, f.bucket, f.value, f.at
          FROM conversation_metrics m
          JOIN metrics_daily_zones z ON z.workspace_id = m.workspace_id
          CROSS JOIN LATERAL metrics_facts(m) AS f`);
    await db.query(`
      CREATE FUNCTION metrics_hourly_fill(ws uuid) RETURNS void LANGUAGE sql AS $$
        INSERT INTO metrics_daily (workspace_id, grain, day, hour, metric, bucket, n, total)
          SELECT workspace_id, 16, (at AT TIME ZONE 'UTC')::date, extract(hour FROM at AT TIME ZONE 'UTC')::smallint,
                 metric, bucket, count(*), sum(value)
            FROM metrics_daily_facts WHERE workspace_id = ws
           GROUP BY 1, 2, 3, 4, 5, 6
      $$`);
    await this.rebuild(db, 'PERFORM metrics_hourly_fill(ws);');
    await db.query(`SELECT metrics_hourly_fill(workspace_id) FROM metrics_daily_zones`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM metrics_daily WHERE grain = 16`);
    await this.rebuild(db, '');
    await db.query(`DROP FUNCTION metrics_hourly_fill(uuid)`);
    await db.query(`DROP VIEW metrics_daily_facts`);
    await db.query(`
      CREATE VIEW metrics_daily_facts AS
        SELECT m.workspace_id, m.conversation_id, (f.at AT TIME ZONE z.timezone)::date AS day, m.inbox_id,
               m.channel, m.team_id, f.agent_id, f.metric, f.bucket, f.value
          FROM conversation_metrics m
          JOIN metrics_daily_zones z ON z.workspace_id = m.workspace_id
          CROSS JOIN LATERAL metrics_facts(m) AS f`);
    await this.key(db, 'day');
    await db.query(`ALTER TABLE metrics_daily DROP COLUMN hour`);
  }

  private async key(db: QueryRunner, day: string): Promise<void> {
    await db.query(`ALTER TABLE metrics_daily DROP CONSTRAINT metrics_daily_key`);
    await db.query(`
      ALTER TABLE metrics_daily ADD CONSTRAINT metrics_daily_key UNIQUE NULLS NOT DISTINCT
        (workspace_id, grain, metric, ${day}, inbox_id, channel, team_id, agent_id, bucket) INCLUDE (n, total)`);
  }

  /** The refill of migration 1765500000000, with `hourly` (the grain-16 fill) after the daily grains. */
  private async rebuild(db: QueryRunner, hourly: string): Promise<void> {
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
          ${hourly}
        END
      $$`);
  }
}
