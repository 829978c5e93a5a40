import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ClientRateLimitInfo, Store } from 'express-rate-limit';
import { Redis } from 'ioredis';
import { AppConfig } from '@parley/config';

// One round trip: count the hit, start the window on the first one, report what is left of it.
const HIT = `
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { hits, ttl }`;

/**
 * Rate-limit counters in Redis (fixed windows), so every api process counts against the same limit.
 * One connection serves every limiter of the app.
 */
@Injectable()
export class RateLimitCounters implements OnModuleDestroy {
  private readonly logger = new Logger(RateLimitCounters.name);
  private readonly redis: Redis & { rateHit(key: string, windowMs: number): Promise<[number, number]> };

  constructor(private readonly config: AppConfig) {
    const redis = new Redis(config.env.REDIS_URL, { maxRetriesPerRequest: 1 });
    // Sent by its SHA (EVALSHA) once Redis has it, not as the whole script on every request.
    redis.defineCommand('rateHit', { numberOfKeys: 1, lua: HIT });
    this.redis = redis as typeof this.redis;
    this.redis.on('error', (error: Error) => this.logger.warn(`redis: ${error.message}`));
  }

  /** An express-rate-limit store for one named limiter. */
  store(name: string, windowMs: number): Store {
    const prefix = `${this.config.env.REDIS_PREFIX}:rate:${name}:`;
    const redis = this.redis;
    return {
      prefix,
      localKeys: false,
      async increment(key: string): Promise<ClientRateLimitInfo> {
        const [hits, ttl] = await redis.rateHit(prefix + key, windowMs);
        return { totalHits: hits, resetTime: new Date(Date.now() + ttl) };
      },
      async decrement(key: string): Promise<void> {
        await redis.decr(prefix + key);
      },
      async resetKey(key: string): Promise<void> {
        await redis.del(prefix + key);
      },
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
