import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { TransactionRunner } from '@parley/database';
import { LocalCaches, type LocalCache } from '@parley/realtime';
import { ApiKey } from './accounts.entities.js';
import { AccountsError, AccountsErrorCode } from './accounts.errors.js';
import type { Principal } from './principal.js';

const API_KEY_PREFIX = 'pk_';
/** "Last used" is kept to the minute: a write per request would sit on the ingest path. */
const LAST_USED_PRECISION_MS = 60_000;

function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** What authenticating with a key needs, cached per process by the key's hash. */
interface KnownKey {
  id: string;
  workspaceId: string;
  lastUsedAt: Date | null;
}

@Injectable()
export class ApiKeysService {
  private readonly known: LocalCache<KnownKey>;

  constructor(
    private readonly tx: TransactionRunner,
    caches: LocalCaches,
  ) {
    this.known = caches.cache('api-keys');
  }

  list(workspaceId: string): Promise<ApiKey[]> {
    return this.tx.manager.find(ApiKey, { where: { workspaceId }, order: { createdAt: 'DESC' } });
  }

  /** Creates a key; the plain key is returned this once and only its SHA-256 is stored. */
  async create(
    workspaceId: string,
    name: string,
    createdBy: string | null,
  ): Promise<{ apiKey: ApiKey; key: string }> {
    const key = `${API_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
    const apiKey = await this.tx.manager.save(ApiKey, {
      workspaceId,
      name,
      prefix: key.slice(0, 10),
      keyHash: hashApiKey(key),
      createdBy,
      lastUsedAt: null,
      revokedAt: null,
    });
    return { apiKey, key };
  }

  /** Refused from now on by every api process (the cached principal is dropped everywhere). */
  async revoke(workspaceId: string, id: string): Promise<void> {
    const result = await this.tx.manager
      .createQueryBuilder()
      .update(ApiKey)
      .set({ revokedAt: new Date() })
      .where({ workspaceId, id, revokedAt: IsNull() })
      .returning('key_hash')
      .execute();
    const [revoked] = result.raw as Array<{ key_hash: string }>;
    if (!revoked) throw new AccountsError(AccountsErrorCode.NotFound, 'API key not found');
    await this.known.invalidate(revoked.key_hash);
  }

  /** An API key → an agent-level principal of its workspace; unknown and revoked keys → null. */
  async principal(key: string): Promise<Principal | null> {
    if (!key.startsWith(API_KEY_PREFIX)) return null;
    const hash = hashApiKey(key);
    const known = await this.known.get(hash, () =>
      this.tx.manager.findOne(ApiKey, {
        where: { keyHash: hash, revokedAt: IsNull() },
        select: { id: true, workspaceId: true, lastUsedAt: true },
      }),
    );
    if (!known) return null;
    if (!known.lastUsedAt || Date.now() - known.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
      known.lastUsedAt = new Date();
      void this.tx.manager
        .update(ApiKey, { id: known.id }, { lastUsedAt: known.lastUsedAt })
        .catch(() => undefined);
    }
    return { workspaceId: known.workspaceId, role: 'agent', userId: null, apiKeyId: known.id };
  }
}
