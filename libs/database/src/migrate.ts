import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { Env } from '@parley/config';
import { dataSourceOptions } from './data-source.options.js';

/** Creates the database named in DATABASE_URL when it does not exist yet (local and test setups). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/** Runs pending migrations under an advisory lock so concurrent deploys apply each exactly once. */
export async function runMigrations(
  env: Pick<Env, 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>,
): Promise<string[]> {
  const dataSource = new DataSource({ ...dataSourceOptions(env), extra: { max: 2 } });
  await dataSource.initialize();
  try {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock(hashtext($1))', ['parley:migrations']);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', ['parley:migrations']);
      await runner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}
