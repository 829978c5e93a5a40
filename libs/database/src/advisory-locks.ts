import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '@parley/config';

/** A lock name → the bigint key of pg_try_advisory_lock (first 8 bytes of its SHA-256). */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

/**
 * Session-level PostgreSQL advisory locks on one dedicated connection (outside the pool). A lock
 * lives exactly as long as the connection: if this process dies or the connection drops,
 * PostgreSQL releases every lock it held, and `onLost` listeners hear of it. No renewal needed.
 */
export class AdvisoryLockSession {
  private client: Client | null = null;
  private readonly lostListeners = new Set<(reason: string) => void>();
  private readonly held = new Set<string>();

  constructor(private readonly databaseUrl: string) {}

  /** Takes the lock if nobody holds it; true when this session has it (now or already). */
  async tryLock(name: string): Promise<boolean> {
    if (this.held.has(name)) return true;
    const client = await this.connection();
    const result = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1::bigint) AS locked',
      [advisoryKey(name)],
    );
    if (result.rows[0]?.locked) this.held.add(name);
    return this.held.has(name);
  }

  async unlock(name: string): Promise<void> {
    if (!this.held.delete(name) || !this.client) return;
    await this.client
      .query('SELECT pg_advisory_unlock($1::bigint)', [advisoryKey(name)])
      .catch(() => undefined);
  }

  /** Called once per lost connection: every lock of this session is gone. */
  onLost(listener: (reason: string) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.held.clear();
    await client?.end().catch(() => undefined);
  }

  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 10_000 });
    const lost = (reason: string) => {
      if (this.client !== client) return;
      this.client = null;
      this.held.clear();
      for (const listener of this.lostListeners) listener(reason);
    };
    client.on('error', (error: Error) => lost(error.message));
    client.on('end', () => lost('connection ended'));
    await client.connect();
    await client.query(`SET application_name = 'parley-locks'`);
    this.client = client;
    return client;
  }
}

/** Hands out lock sessions on the configured database. */
@Injectable()
export class AdvisoryLocks {
  constructor(private readonly config: AppConfig) {}

  session(): AdvisoryLockSession {
    return new AdvisoryLockSession(this.config.env.DATABASE_URL);
  }
}
