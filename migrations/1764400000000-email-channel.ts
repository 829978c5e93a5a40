import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email: Message-ID lookups for threading (outbound and inbound ids are messages.external_id),
 * the IMAP poller's per-inbox state (UID cursor, health), and used MIME-webhook tokens (replays).
 */
export class EmailChannel1764400000000 implements MigrationInterface {
  name = 'EmailChannel1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX messages_email_message_id_idx ON messages (workspace_id, external_id) WHERE channel = 'email'`,
    );
    await db.query(`
      CREATE TABLE email_mailbox_state (
        inbox_id uuid PRIMARY KEY REFERENCES inboxes(id) ON DELETE CASCADE,
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        folder text NOT NULL,
        uid_validity text,
        last_uid bigint NOT NULL DEFAULT 0,
        last_polled_at timestamptz,
        last_success_at timestamptz,
        last_error text,
        last_error_at timestamptz,
        failures integer NOT NULL DEFAULT 0,
        retry_after timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE email_webhook_tokens (
        inbox_id uuid NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
        token text NOT NULL,
        used_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (inbox_id, token)
      )`);
    await db.query(`CREATE INDEX email_webhook_tokens_used_at_idx ON email_webhook_tokens (used_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE email_webhook_tokens`);
    await db.query(`DROP TABLE email_mailbox_state`);
    await db.query(`DROP INDEX messages_email_message_id_idx`);
  }
}
