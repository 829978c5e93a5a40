import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the assignment report at scale (docs/benchmarks.md): conversations opened in a period,
 * and the assignment events of a period, read by index instead of a scan plus one lookup per conversation.
 */
export class ReportIndexes1765000000000 implements MigrationInterface {
  name = 'ReportIndexes1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX conversations_opened_idx ON conversations (workspace_id, opened_at) INCLUDE (assignment_count)`,
    );
    await db.query(
      `CREATE INDEX conversation_events_assignment_idx ON conversation_events (workspace_id, occurred_at)
         INCLUDE (conversation_id) WHERE type IN ('assigned', 'requeued')`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS conversation_events_assignment_idx`);
    await db.query(`DROP INDEX IF EXISTS conversations_opened_idx`);
  }
}
