import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = `workspace_id, grain, day, hour, inbox_id, channel, team_id, agent_id, metric, bucket, n, total`;

/**
 * Rollup changes are journaled, then folded in once a second (docs/metrics.md#daily-rollups).
 *
 * Every metrics fold added its changes to `metrics_daily` itself: about 85 rows upserted a resolve
 * (8 grains × the facts it changes), every fold of a day updating the same coarse "today" rows, each
 * holding their locks until its commit (and its WAL flush). At 1M conversations that statement was a
 * third of PostgreSQL's time in the surveys part, 7.7 ms a resolve (docs/benchmarks.md). A fold now
 * appends its changes to `metrics_daily_pending` (no unique key, no lock on another fold's rows);
 * `metrics.rollups` moves them into `metrics_daily` summed per row, in one statement a workspace.
 *
 * Reports read `metrics_rollups`: the rollups plus what is still pending, so they stay exact between
 * two folds-in. No foreign key on the journal: its rows live about a second, and a key check per
 * appended row is what this saves.
 */
export class RollupJournal1765750000000 implements MigrationInterface {
  name = 'RollupJournal1765750000000';

  async up(db: QueryRunner): Promise<void> {
    // The columns of metrics_daily (types, NOT NULL), none of its keys.
    await db.query(`CREATE TABLE metrics_daily_pending (LIKE metrics_daily)`);
    await db.query(
      `CREATE INDEX metrics_daily_pending_idx ON metrics_daily_pending (workspace_id, grain, metric, day)`,
    );
    await db.query(`
      CREATE VIEW metrics_rollups AS
        SELECT ${COLUMNS} FROM metrics_daily
        UNION ALL
        SELECT ${COLUMNS} FROM metrics_daily_pending`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      INSERT INTO metrics_daily (${COLUMNS})
      SELECT workspace_id, grain, day, hour, inbox_id, channel, team_id, agent_id, metric, bucket, sum(n), sum(total)
        FROM metrics_daily_pending GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
      ON CONFLICT ON CONSTRAINT metrics_daily_key
      DO UPDATE SET n = metrics_daily.n + excluded.n, total = metrics_daily.total + excluded.total`);
    await db.query(`DROP VIEW metrics_rollups`);
    await db.query(`DROP TABLE metrics_daily_pending`);
  }
}
