import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Channel health on inboxes (e.g. a Meta token that needs re-authorization), visible in settings. */
export class ChannelHealth1764000000000 implements MigrationInterface {
  name = 'ChannelHealth1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE inboxes ADD COLUMN health jsonb NOT NULL DEFAULT '{"status": "ok"}'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE inboxes DROP COLUMN health`);
  }
}
