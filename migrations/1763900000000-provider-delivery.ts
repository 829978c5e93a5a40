import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Provider channels (Twilio): a `sending` delivery status, and a fast "last inbound on this inbox" lookup. */
export class ProviderDelivery1763900000000 implements MigrationInterface {
  name = 'ProviderDelivery1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE messages DROP CONSTRAINT messages_status_check`);
    await db.query(
      `ALTER TABLE messages ADD CONSTRAINT messages_status_check
         CHECK (status IN ('received', 'queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'undelivered'))`,
    );
    await db.query(
      `CREATE INDEX messages_inbound_window_idx ON messages (identity_id, inbox_id, created_at DESC) WHERE direction = 'in'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS messages_inbound_window_idx`);
    await db.query(`UPDATE messages SET status = 'sent' WHERE status = 'sending'`);
    await db.query(`ALTER TABLE messages DROP CONSTRAINT messages_status_check`);
    await db.query(
      `ALTER TABLE messages ADD CONSTRAINT messages_status_check
         CHECK (status IN ('received', 'queued', 'sent', 'delivered', 'read', 'failed', 'undelivered'))`,
    );
  }
}
