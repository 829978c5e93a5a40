import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { AppConfig } from '@parley/config';
import { ApiKey, Membership, User, Workspace, type Role } from './accounts.entities.js';
import { AccountsError, AccountsErrorCode } from './accounts.errors.js';
import { PasswordHasher } from './password-hasher.js';
import type { Principal } from './principal.js';

interface TokenClaims {
  sub: string;
  wid: string;
}

export interface LoginResult {
  accessToken: string;
  expiresIn: number;
  user: { id: string; email: string; name: string };
  workspace: { id: string; name: string };
  role: Role;
  workspaces: Array<{ id: string; name: string; role: Role }>;
}

export const API_KEY_PREFIX = 'pk_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

@Injectable()
export class AuthService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(Membership) private readonly memberships: Repository<Membership>,
    @InjectRepository(Workspace) private readonly workspaces: Repository<Workspace>,
    @InjectRepository(ApiKey) private readonly apiKeys: Repository<ApiKey>,
    private readonly jwt: JwtService,
    private readonly hasher: PasswordHasher,
    private readonly config: AppConfig,
  ) {}

  /** Email + password → a JWT for one workspace (the requested one, else the oldest membership). */
  async login(email: string, password: string, workspaceId?: string): Promise<LoginResult> {
    const user = await this.users.findOne({
      where: { email: email.trim().toLowerCase() },
      select: { id: true, email: true, name: true, passwordHash: true },
    });
    const valid = await this.hasher.verify(user?.passwordHash ?? null, password);
    if (!user || !valid)
      throw new AccountsError(AccountsErrorCode.InvalidCredentials, 'Email or password is wrong');
    const memberships = await this.memberships.find({
      where: { userId: user.id },
      order: { createdAt: 'ASC' },
    });
    const chosen = workspaceId ? memberships.find((m) => m.workspaceId === workspaceId) : memberships[0];
    if (!chosen)
      throw new AccountsError(AccountsErrorCode.NotAMember, 'You are not a member of that workspace');
    const workspaces = await this.workspaces.findBy(memberships.map((m) => ({ id: m.workspaceId })));
    const nameOf = new Map(workspaces.map((w) => [w.id, w.name]));
    const claims: TokenClaims = { sub: user.id, wid: chosen.workspaceId };
    return {
      accessToken: await this.jwt.signAsync(claims),
      expiresIn: this.config.env.JWT_TTL_SECONDS,
      user: { id: user.id, email: user.email, name: user.name },
      workspace: { id: chosen.workspaceId, name: nameOf.get(chosen.workspaceId) ?? '' },
      role: chosen.role,
      workspaces: memberships.map((m) => ({
        id: m.workspaceId,
        name: nameOf.get(m.workspaceId) ?? '',
        role: m.role,
      })),
    };
  }

  /** A JWT → the caller, with the role read fresh so removals and demotions apply at once. */
  async principalFromToken(token: string): Promise<Principal | null> {
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token);
    } catch {
      return null;
    }
    if (typeof claims.sub !== 'string' || typeof claims.wid !== 'string') return null;
    const membership = await this.memberships.findOne({
      where: { workspaceId: claims.wid, userId: claims.sub },
    });
    if (!membership) return null;
    return {
      workspaceId: membership.workspaceId,
      role: membership.role,
      userId: membership.userId,
      apiKeyId: null,
    };
  }

  /** An API key → an agent-level principal of its workspace; revoked keys are refused. */
  async principalFromApiKey(key: string): Promise<Principal | null> {
    if (!key.startsWith(API_KEY_PREFIX)) return null;
    const apiKey = await this.apiKeys.findOne({ where: { keyHash: hashApiKey(key), revokedAt: IsNull() } });
    if (!apiKey) return null;
    // A write per request would sit on the ingest path; a minute's precision is plenty for "last used".
    if (!apiKey.lastUsedAt || Date.now() - apiKey.lastUsedAt.getTime() > 60_000) {
      void this.apiKeys.update({ id: apiKey.id }, { lastUsedAt: new Date() }).catch(() => undefined);
    }
    return { workspaceId: apiKey.workspaceId, role: 'agent', userId: null, apiKeyId: apiKey.id };
  }

  static generateApiKey(): { key: string; prefix: string; hash: string } {
    const key = `${API_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
    return { key, prefix: key.slice(0, 10), hash: hashApiKey(key) };
  }
}
