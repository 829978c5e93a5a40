import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Privacy operations: an erased contact is marked (its row stays so metrics keep their joins),
 * redacted messages and raw events are marked so retention runs skip them, inboxes carry a
 * retention window, deleted files wait in a queue table, and the audit log gets the index its workspace-wide listing pages on.
 */
export class Privacy1765200000000 implements MigrationInterface {
  name = 'Privacy1765200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE contacts ADD COLUMN erased_at timestamptz`);
    await db.query(
      `ALTER TABLE inboxes ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 1 AND 36500)`,
    );
    await db.query(`ALTER TABLE messages ADD COLUMN redacted_at timestamptz`);
    await db.query(`ALTER TABLE inbound_events ADD COLUMN redacted_at timestamptz`);
    await db.query(
      `CREATE INDEX messages_retention_idx ON messages (inbox_id, created_at) WHERE redacted_at IS NULL`,
    );
    await db.query(
      `CREATE INDEX inbound_events_retention_idx ON inbound_events (inbox_id, received_at) WHERE redacted_at IS NULL`,
    );
    await db.query(`CREATE INDEX audit_log_recent_idx ON audit_log (workspace_id, created_at DESC, id DESC)`);
    // Files to delete from the attachment store once the redaction that orphaned them committed.
    await db.query(`
      CREATE TABLE pending_file_deletions (
        id bigserial PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        storage_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE pending_file_deletions`);
    await db.query(`DROP INDEX audit_log_recent_idx`);
    await db.query(`DROP INDEX inbound_events_retention_idx`);
    await db.query(`DROP INDEX messages_retention_idx`);
    await db.query(`ALTER TABLE inbound_events DROP COLUMN redacted_at`);
    await db.query(`ALTER TABLE messages DROP COLUMN redacted_at`);
    await db.query(`ALTER TABLE inboxes DROP COLUMN retention_days`);
    await db.query(`ALTER TABLE contacts DROP COLUMN erased_at`);
  }
}
