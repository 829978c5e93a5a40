import type { MigrationInterface, QueryRunner } from 'typeorm';

const UNRESOLVED_LISTS: Array<[name: string, column: string | null]> = [
  ['conversations_unresolved_idx', null],
  ['conversations_unresolved_assignee_idx', 'assignee_id'],
  ['conversations_unresolved_team_idx', 'team_id'],
  ['conversations_unresolved_inbox_idx', 'reply_inbox_id'],
  ['conversations_unresolved_channel_idx', 'last_channel'],
];

/**
 * Indexes found missing by the bench at 1M conversations (docs/benchmarks.md):
 * - the inbox lists' default "every unresolved status" (`status <> 'resolved'`) newest first, for all, mine or
 *   unassigned, a team, an inbox and a channel: partial indexes on the unresolved rows in list order, so a page
 *   reads 26 index entries instead of sorting every unresolved conversation; the first one also covers the live
 *   queue's counts;
 * - the assignment report: conversations opened in a period, and the period's assignment events.
 */
export class ScaleIndexes1765000000000 implements MigrationInterface {
  name = 'ScaleIndexes1765000000000';

  async up(db: QueryRunner): Promise<void> {
    for (const [name, column] of UNRESOLVED_LISTS) {
      const key = column ? `workspace_id, ${column}` : 'workspace_id';
      const include = column ? '' : ' INCLUDE (status, assignee_id, waiting_since, contact_id)';
      await db.query(
        `CREATE INDEX ${name} ON conversations (${key}, last_message_at DESC, id DESC)${include}
           WHERE status <> 'resolved'`,
      );
    }
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
    for (const [name] of UNRESOLVED_LISTS) await db.query(`DROP INDEX IF EXISTS ${name}`);
  }
}
