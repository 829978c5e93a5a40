import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The unassigned queue in list order. `assignee_id IS NULL` is not an equality to PostgreSQL's
 * planner, so `conversations_unresolved_assignee_idx` finds the unassigned rows but cannot return
 * them in `last_message_at` order: every page read and sorted all of them (≈7,000 at 1M
 * conversations; docs/benchmarks.md). A partial index on exactly those rows reads one page
 * (`conversations_unassigned_idx` is auto-assignment's, in waiting order).
 */
export class UnassignedQueueIndex1765400000000 implements MigrationInterface {
  name = 'UnassignedQueueIndex1765400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX conversations_unassigned_list_idx ON conversations (workspace_id, last_message_at DESC, id DESC)
         WHERE status <> 'resolved' AND assignee_id IS NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS conversations_unassigned_list_idx`);
  }
}
