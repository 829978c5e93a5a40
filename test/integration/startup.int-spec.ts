import { assertDatabaseReachable, ensureDatabase, runMigrations } from '@parley/database';
import { assertRedisReachable } from '@parley/jobs';

describe('start-up checks', () => {
  it('names DATABASE_URL, without the password, when PostgreSQL is unreachable', async () => {
    await expect(assertDatabaseReachable('postgres://parley:hunter2@127.0.0.1:1/parley')).rejects.toThrow(
      /^Cannot reach PostgreSQL at DATABASE_URL=postgres:\/\/parley:\*\*\*@127\.0\.0\.1:1\/parley: /,
    );
  });

  it('names REDIS_URL when Redis is unreachable', async () => {
    await expect(assertRedisReachable('redis://127.0.0.1:1')).rejects.toThrow(
      /^Cannot reach Redis at REDIS_URL=redis:\/\/127\.0\.0\.1:1/,
    );
  });

  it('passes against the real services, and migrations are idempotent', async () => {
    const url = process.env.DATABASE_URL ?? '';
    await expect(assertDatabaseReachable(url)).resolves.toBeUndefined();
    await expect(assertRedisReachable(process.env.REDIS_URL ?? '')).resolves.toBeUndefined();
    await ensureDatabase(url);
    await runMigrations({ DATABASE_URL: url, DATABASE_POOL_SIZE: 2 });
    expect(await runMigrations({ DATABASE_URL: url, DATABASE_POOL_SIZE: 2 })).toEqual([]);
  });
});
