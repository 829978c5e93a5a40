import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '@parley/config';

/**
 * Sign-in state shared by every api process, in Redis: failed attempts and lockouts per account
 * (email), and the ids of tokens revoked by a logout until they would have expired anyway.
 */
@Injectable()
export class AuthStateStore implements OnModuleDestroy {
  private readonly logger = new Logger(AuthStateStore.name);
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(private readonly config: AppConfig) {
    this.redis = new Redis(config.env.REDIS_URL, { maxRetriesPerRequest: 2 });
    this.redis.on('error', (error: Error) => this.logger.warn(`redis: ${error.message}`));
    this.prefix = `${config.env.REDIS_PREFIX}:auth`;
  }

  /** Seconds the account is still locked for; 0 when it is not. */
  async lockedFor(email: string): Promise<number> {
    const ttl = await this.redis.pttl(this.key('locked', email));
    return ttl > 0 ? Math.ceil(ttl / 1000) : 0;
  }

  /** Counts a failed attempt; returns the lockout in seconds when this one reached the limit, else 0. */
  async recordFailure(email: string): Promise<number> {
    const env = this.config.env;
    const failures = this.key('failures', email);
    const [[, count]] = (await this.redis
      .multi()
      .incr(failures)
      .expire(failures, env.LOGIN_LOCKOUT_WINDOW_SECONDS, 'NX')
      .exec()) as [[Error | null, number]];
    if (count < env.LOGIN_LOCKOUT_ATTEMPTS) return 0;
    await this.redis
      .multi()
      .set(this.key('locked', email), '1', 'EX', env.LOGIN_LOCKOUT_SECONDS)
      .del(failures)
      .exec();
    return env.LOGIN_LOCKOUT_SECONDS;
  }

  async clearFailures(email: string): Promise<void> {
    await this.redis.del(this.key('failures', email));
  }

  async revokeToken(jti: string, secondsLeft: number): Promise<void> {
    if (secondsLeft > 0) await this.redis.set(`${this.prefix}:revoked:${jti}`, '1', 'EX', secondsLeft);
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}:revoked:${jti}`)) === 1;
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }

  // Emails are hashed: Redis holds no address list.
  private key(kind: 'failures' | 'locked', email: string): string {
    return `${this.prefix}:${kind}:${createHash('sha256').update(email).digest('hex').slice(0, 32)}`;
  }
}
