import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Web chat: every web chat inbox has a public website token (the widget snippet names it), unique
 * across workspaces because the widget knows nothing else. Existing web chat inboxes get one.
 */
export class Webchat1764600000000 implements MigrationInterface {
  name = 'Webchat1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      UPDATE inboxes
         SET config = config || jsonb_build_object('websiteToken', replace(gen_random_uuid()::text, '-', ''))
       WHERE channel = 'webchat' AND NOT (config ? 'websiteToken')`);
    await db.query(`
      CREATE UNIQUE INDEX inboxes_website_token ON inboxes ((config->>'websiteToken'))
       WHERE channel = 'webchat'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX inboxes_website_token');
  }
}
