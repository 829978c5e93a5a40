import type { MigrationInterface, QueryRunner } from 'typeorm';

const TEXT = `coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '')`;

/**
 * Contact search (the contacts list and the inbox list's `q`) matched `ILIKE` over the concatenated
 * name, email and phone: the trigram index found the candidates, then every candidate was
 * concatenated and case-folded again to recheck it — 11 of the 16 ms of a term that matches 11,111
 * of 300,000 contacts (docs/benchmarks.md). The lower-cased text is stored once per write instead,
 * and searched with a plain `LIKE` on a lower-cased pattern (the same matches).
 *
 * Adding a stored generated column rewrites `contacts` under an exclusive lock: seconds for a few
 * hundred thousand contacts; plan a maintenance window for tens of millions.
 */
export class ContactSearchText1765730000000 implements MigrationInterface {
  name = 'ContactSearchText1765730000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE contacts ADD COLUMN search_text text GENERATED ALWAYS AS (lower(${TEXT})) STORED`,
    );
    await db.query(`DROP INDEX IF EXISTS contacts_search_idx`);
    await db.query(`CREATE INDEX contacts_search_idx ON contacts USING gin (search_text gin_trgm_ops)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS contacts_search_idx`);
    await db.query(`ALTER TABLE contacts DROP COLUMN search_text`);
    await db.query(`CREATE INDEX contacts_search_idx ON contacts USING gin ((${TEXT}) gin_trgm_ops)`);
  }
}
