import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The open FCR windows counted by every report with FCR (`LIVE_SCANS` in the reports repository):
 * the partial index found them, then each of the ~16,000 open windows at 1M conversations cost a
 * heap fetch (54 of the leaderboard's 250 ms, docs/benchmarks.md). With the columns the count reads
 * and the report filters included, it is an index-only scan.
 */
export class FcrWindowCovering1765720000000 implements MigrationInterface {
  name = 'FcrWindowCovering1765720000000';

  async up(db: QueryRunner): Promise<void> {
    await this.index(db, ' INCLUDE (resolved_at, resolved_by, fcr_candidate, channel, inbox_id, team_id)');
  }

  async down(db: QueryRunner): Promise<void> {
    await this.index(db, '');
  }

  private async index(db: QueryRunner, include: string): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS conversation_metrics_fcr_window_idx`);
    await db.query(
      `CREATE INDEX conversation_metrics_fcr_window_idx ON conversation_metrics (workspace_id, fcr_window_ends_at)${include}
         WHERE cycle = 0`,
    );
  }
}
