import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tokens issued before this moment are refused (set by a password change: every session ends). */
export class TokenRevocation1765100000000 implements MigrationInterface {
  name = 'TokenRevocation1765100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users ADD COLUMN tokens_valid_after timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users DROP COLUMN tokens_valid_after`);
  }
}
