import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Opt-outs are per channel: a phone number shared by SMS and WhatsApp can stop one and not the
 * other (an SMS STOP must not silence WhatsApp).
 */
export class PerChannelOptOut1764100000000 implements MigrationInterface {
  name = 'PerChannelOptOut1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE contact_identities ADD COLUMN opted_out_channels text[] NOT NULL DEFAULT '{}'`,
    );
    await db.query(
      `UPDATE contact_identities SET opted_out_channels = ARRAY['sms'] WHERE opted_out AND kind = 'phone'`,
    );
    await db.query(`ALTER TABLE contact_identities DROP COLUMN opted_out`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE contact_identities ADD COLUMN opted_out boolean NOT NULL DEFAULT false`);
    await db.query(`UPDATE contact_identities SET opted_out = cardinality(opted_out_channels) > 0`);
    await db.query(`ALTER TABLE contact_identities DROP COLUMN opted_out_channels`);
  }
}
