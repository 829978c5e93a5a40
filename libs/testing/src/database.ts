import type { DataSource } from 'typeorm';
import { runMigrations } from '@parley/database';

/** Applies pending migrations to the tier's database (a no-op once it is current). */
export async function migrateTestDatabase(): Promise<void> {
  await runMigrations({ DATABASE_URL: process.env.DATABASE_URL ?? '', DATABASE_POOL_SIZE: 2 });
}

/** Empties every table (not the migrations log); fast enough to run before each test file. */
export async function resetDatabase(dataSource: DataSource): Promise<void> {
  const rows: Array<{ tablename: string }> = await dataSource.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`,
  );
  if (rows.length)
    await dataSource.query(
      `TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`,
    );
}
