import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppConfig } from '@parley/config';
import { RealtimePublisher, rooms } from '@parley/realtime';
import { Membership, User, Workspace, type Role } from './accounts.entities.js';
import { AccountsError, AccountsErrorCode } from './accounts.errors.js';
import { AuthStateStore } from './auth-state.store.js';
import { PasswordHasher } from './password-hasher.js';
import type { Principal } from './principal.js';

interface TokenClaims {
  sub: string;
  wid: string;
  /** Token id: a logout revokes this one token. Older tokens have none (they can only expire). */
  jti?: string;
  /** Issued at / expires, seconds (set by the signer). */
  iat?: number;
  /** Issued at, milliseconds: `iat`'s whole seconds cannot tell a token from the second of a password change. */
  iatMs?: number;
  exp?: number;
}

/** A checked bearer token: the caller, or why it is refused (the 401 says so). */
export type TokenCheck =
  { principal: Principal; tokenId: string | null; expiresAt: number | null } | { refused: string };

export interface LoginResult {
  accessToken: string;
  expiresIn: number;
  user: { id: string; email: string; name: string };
  workspace: { id: string; name: string };
  role: Role;
  workspaces: Array<{ id: string; name: string; role: Role }>;
}

const INVALID_TOKEN = 'The token is not valid (malformed or not signed by this server)';

@Injectable()
export class AuthService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(Membership) private readonly memberships: Repository<Membership>,
    @InjectRepository(Workspace) private readonly workspaces: Repository<Workspace>,
    private readonly jwt: JwtService,
    private readonly hasher: PasswordHasher,
    private readonly config: AppConfig,
    private readonly state: AuthStateStore,
    private readonly realtime: RealtimePublisher,
  ) {}

  /**
   * Email + password → a JWT for one workspace (the requested one, else the oldest membership).
   * LOGIN_LOCKOUT_ATTEMPTS failures for one email within the window lock it, from any address,
   * for LOGIN_LOCKOUT_SECONDS (the password is not even checked then); a success resets the count.
   */
  async login(email: string, password: string, workspaceId?: string): Promise<LoginResult> {
    const normalized = email.trim().toLowerCase();
    const locked = await this.state.lockedFor(normalized);
    if (locked) throw this.lockedError(locked);
    const user = await this.users.findOne({
      where: { email: normalized },
      select: { id: true, email: true, name: true, passwordHash: true },
    });
    const valid = await this.hasher.verify(user?.passwordHash ?? null, password);
    if (!user || !valid) {
      const lockout = await this.state.recordFailure(normalized);
      if (lockout) throw this.lockedError(lockout);
      throw new AccountsError(AccountsErrorCode.InvalidCredentials, 'Email or password is wrong');
    }
    await this.state.clearFailures(normalized);
    return this.issue(user, workspaceId);
  }

  /** Denylists the token's id until it would have expired anyway. */
  private async revoke(check: { tokenId: string | null; expiresAt: number | null }): Promise<void> {
    if (!check.tokenId) return;
    await this.state.revokeToken(check.tokenId, (check.expiresAt ?? 0) - Math.floor(Date.now() / 1000));
  }

  private lockedError(seconds: number): AccountsError {
    return new AccountsError(
      AccountsErrorCode.AccountLocked,
      `Too many failed sign-ins for this account; try again in ${seconds} s`,
      seconds,
    );
  }

  private async issue(user: Pick<User, 'id' | 'email' | 'name'>, workspaceId?: string): Promise<LoginResult> {
    const memberships = await this.memberships.find({
      where: { userId: user.id },
      order: { createdAt: 'ASC' },
    });
    const chosen = workspaceId ? memberships.find((m) => m.workspaceId === workspaceId) : memberships[0];
    if (!chosen)
      throw new AccountsError(AccountsErrorCode.NotAMember, 'You are not a member of that workspace');
    const workspaces = await this.workspaces.findBy(memberships.map((m) => ({ id: m.workspaceId })));
    const nameOf = new Map(workspaces.map((w) => [w.id, w.name]));
    const claims: TokenClaims = {
      sub: user.id,
      wid: chosen.workspaceId,
      jti: randomUUID(),
      iatMs: Date.now(),
    };
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
    const check = await this.checkToken(token);
    return 'principal' in check ? check.principal : null;
  }

  /** A JWT → the caller, or the reason it is refused: expired, revoked (logout, password change), invalid. */
  async checkToken(token: string): Promise<TokenCheck> {
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token);
    } catch (error) {
      return {
        refused: error instanceof TokenExpiredError ? 'The token has expired; sign in again' : INVALID_TOKEN,
      };
    }
    if (typeof claims.sub !== 'string' || typeof claims.wid !== 'string') return { refused: INVALID_TOKEN };
    const [membership, user, revoked] = await Promise.all([
      this.memberships.findOne({ where: { workspaceId: claims.wid, userId: claims.sub } }),
      this.users.findOne({ where: { id: claims.sub }, select: { id: true, tokensValidAfter: true } }),
      claims.jti ? this.state.isRevoked(claims.jti) : Promise.resolve(false),
    ]);
    const issuedAt = typeof claims.iatMs === 'number' ? claims.iatMs : (claims.iat ?? 0) * 1000;
    if (revoked || issuedAt < (user?.tokensValidAfter?.getTime() ?? 0))
      return { refused: 'The token was revoked (signed out or password changed); sign in again' };
    if (!membership) return { refused: 'You are no longer a member of this workspace' };
    return {
      principal: {
        workspaceId: membership.workspaceId,
        role: membership.role,
        userId: membership.userId,
        apiKeyId: null,
      },
      tokenId: claims.jti ?? null,
      expiresAt: claims.exp ?? null,
    };
  }

  /** Signs this token out: refused from now on (HTTP and new sockets), its open sockets disconnected. */
  async logout(token: string): Promise<void> {
    const check = await this.checkToken(token);
    if (!('principal' in check) || !check.tokenId) return;
    await this.revoke(check);
    this.realtime.disconnectAgents([rooms.session(check.tokenId)]);
  }

  /**
   * Changes the signed-in user's password and signs out every session of theirs (all tokens issued
   * before now, all their agent sockets); returns a fresh token so this session continues.
   */
  async changePassword(token: string, currentPassword: string, newPassword: string): Promise<LoginResult> {
    const check = await this.checkToken(token);
    if (!('principal' in check) || !check.principal.userId)
      throw new AccountsError(AccountsErrorCode.InvalidCredentials, 'Sign in to change your password');
    const { principal } = check;
    const user = await this.users.findOne({
      where: { id: principal.userId ?? '' },
      select: { id: true, email: true, name: true, passwordHash: true },
    });
    if (!user || !(await this.hasher.verify(user.passwordHash, currentPassword)))
      throw new AccountsError(AccountsErrorCode.WrongPassword, 'The current password is wrong');
    if (newPassword.length < 8)
      throw new AccountsError(AccountsErrorCode.InvalidInput, 'The new password needs at least 8 characters');
    await this.users.update(
      { id: user.id },
      { passwordHash: await this.hasher.hash(newPassword), tokensValidAfter: new Date() },
    );
    await this.revoke(check);
    this.realtime.disconnectAgents([rooms.agent(user.id)]);
    return this.issue(user, principal.workspaceId);
  }
}
