import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '@parley/config';

/**
 * Counts each member's open sockets across every api process, so presence changes only when the
 * first socket connects or the last one leaves. Counters expire if a process dies without cleanup.
 */
@Injectable()
export class PresenceStore implements OnModuleDestroy {
  private readonly redis: Redis;

  constructor(private readonly config: AppConfig) {
    this.redis = new Redis(config.env.REDIS_URL, { maxRetriesPerRequest: 2 });
    this.redis.on('error', () => undefined);
  }

  /** Returns true when this was the member's first socket. */
  async connected(workspaceId: string, userId: string): Promise<boolean> {
    const key = this.key(workspaceId, userId);
    const [[, count]] = (await this.redis.multi().incr(key).expire(key, 86400).exec()) as [
      [Error | null, number],
    ];
    return count === 1;
  }

  /** Returns true when this was the member's last socket. */
  async disconnected(workspaceId: string, userId: string): Promise<boolean> {
    const key = this.key(workspaceId, userId);
    const count = await this.redis.decr(key);
    if (count <= 0) {
      await this.redis.del(key);
      return true;
    }
    return false;
  }

  async onlineUserIds(workspaceId: string, userIds: string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const counts = await this.redis.mget(userIds.map((userId) => this.key(workspaceId, userId)));
    return userIds.filter((_, index) => Number(counts[index] ?? 0) > 0);
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }

  private key(workspaceId: string, userId: string): string {
    return `${this.config.env.REDIS_PREFIX}:presence:${workspaceId}:${userId}`;
  }
}
