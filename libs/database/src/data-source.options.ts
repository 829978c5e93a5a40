import type { DataSourceOptions } from 'typeorm';
import type { Env } from '@parley/config';
import { allMigrations } from '../../../migrations/index.js';

/** `read committed`, escaped for the connection's `options` (the server splits them on spaces). */
const READ_COMMITTED = 'read\\ committed';

/** Every migration, in order. Schema changes come only from here; `synchronize` stays off. */
export const migrations = allMigrations;

/** Default of `DATABASE_POOL_ACQUIRE_TIMEOUT_MS` for callers that pass no full env (migrations, seed). */
const POOL_ACQUIRE_TIMEOUT_MS = 30_000;

export function dataSourceOptions(
  env: Pick<Env, 'DATABASE_URL' | 'DATABASE_POOL_SIZE'> &
    Partial<Pick<Env, 'DATABASE_POOL_ACQUIRE_TIMEOUT_MS'>>,
): DataSourceOptions {
  return {
    type: 'postgres',
    url: env.DATABASE_URL,
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTableName: 'schema_migrations',
    extra: {
      max: env.DATABASE_POOL_SIZE,
      // A request waits in the pool's queue this long for a connection (not a failure at 5 s under load).
      connectionTimeoutMillis: env.DATABASE_POOL_ACQUIRE_TIMEOUT_MS ?? POOL_ACQUIRE_TIMEOUT_MS,
      // Set once per connection, so a transaction is one `START TRANSACTION` round trip, not two
      // (TransactionRunner relies on it instead of `SET TRANSACTION ISOLATION LEVEL` each time).
      // JIT off: the report queries cross its cost threshold and spent 64 of 749 ms compiling
      // (docs/benchmarks.md); nothing here runs long enough to win that back.
      options: `-c default_transaction_isolation=${READ_COMMITTED} -c jit=off`,
    },
  };
}
