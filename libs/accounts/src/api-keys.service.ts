import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { TransactionRunner } from '@parley/database';
import { ApiKey } from './accounts.entities.js';
import { AccountsError, AccountsErrorCode } from './accounts.errors.js';
import { AuthService } from './auth.service.js';

@Injectable()
export class ApiKeysService {
  constructor(private readonly tx: TransactionRunner) {}

  list(workspaceId: string): Promise<ApiKey[]> {
    return this.tx.manager.find(ApiKey, { where: { workspaceId }, order: { createdAt: 'DESC' } });
  }

  /** Creates a key; the plain key is returned this once and only its SHA-256 is stored. */
  async create(
    workspaceId: string,
    name: string,
    createdBy: string | null,
  ): Promise<{ apiKey: ApiKey; key: string }> {
    const generated = AuthService.generateApiKey();
    const apiKey = await this.tx.manager.save(ApiKey, {
      workspaceId,
      name,
      prefix: generated.prefix,
      keyHash: generated.hash,
      createdBy,
      lastUsedAt: null,
      revokedAt: null,
    });
    return { apiKey, key: generated.key };
  }

  async revoke(workspaceId: string, id: string): Promise<void> {
    const result = await this.tx.manager.update(
      ApiKey,
      { workspaceId, id, revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
    if (!result.affected) throw new AccountsError(AccountsErrorCode.NotFound, 'API key not found');
  }
}
