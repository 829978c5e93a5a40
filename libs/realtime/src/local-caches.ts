import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '@parley/config';

export interface LocalCacheOptions {
  /** How long an entry is trusted without hearing of a change (the bound when an invalidation is lost). */
  ttlMs: number;
  /** Entries kept; the least recently used one goes first. */
  maxEntries: number;
}

/**
 * Every writer invalidates at once; the TTL bounds only an invalidation Redis lost while the
 * subscribers stayed connected.
 */
const DEFAULTS: LocalCacheOptions = { ttlMs: 30_000, maxEntries: 10_000 };

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * Rows one process reads on every request (an API key, an inbox) kept in its memory. A writer
 * calls `invalidate` after its change committed: the key is dropped here at once and on every
 * other process as soon as Redis delivers the message. While this process is not subscribed (Redis
 * away, reconnecting) nothing is served from memory, so a change can never be missed for good.
 */
export class LocalCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  /** Moves on every drop, so a load that began before an invalidation does not store what it read. */
  private generation = 0;

  constructor(
    readonly name: string,
    private readonly options: LocalCacheOptions,
    private readonly bus: Pick<LocalCaches, 'listening' | 'announce'>,
  ) {}

  /** The cached value of `key`, else what `load` reads (a null, "no such row", is never kept). */
  async get<R extends V | null>(key: string, load: () => Promise<R>): Promise<R> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now && this.bus.listening()) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value as R;
    }
    const generation = this.generation;
    const value = await load();
    if (value !== null && generation === this.generation && this.bus.listening()) {
      this.entries.delete(key);
      this.entries.set(key, { value, expiresAt: now + this.options.ttlMs });
      if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    return value;
  }

  /** Drops `key` in every process; call it once the change is committed. */
  async invalidate(key: string): Promise<void> {
    this.drop(key);
    await this.bus.announce(this.name, key);
  }

  /** Drops one key, or everything (`null`), in this process only. */
  drop(key: string | null): void {
    this.generation += 1;
    if (key === null) this.entries.clear();
    else this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

interface Invalidation {
  cache: string;
  key: string;
}

/** The named local caches of this process and the Redis channel their invalidations travel on. */
@Injectable()
export class LocalCaches implements OnApplicationShutdown {
  private readonly logger = new Logger(LocalCaches.name);
  private readonly caches = new Map<string, LocalCache<unknown>>();
  private readonly channel: string;
  private publisher: Redis | null = null;
  private subscriber: Redis | null = null;
  private subscribed = false;

  constructor(private readonly config: AppConfig) {
    this.channel = `${config.env.REDIS_PREFIX}:cache-invalidations`;
  }

  /** The cache of that name (one per process: every caller of a name shares its entries). */
  cache<V>(name: string, options: LocalCacheOptions = DEFAULTS): LocalCache<V> {
    this.connect();
    let cache = this.caches.get(name);
    if (!cache) {
      cache = new LocalCache<unknown>(name, options, this);
      this.caches.set(name, cache);
    }
    return cache as LocalCache<V>;
  }

  /** Whether this process hears invalidations right now (else its caches serve nothing). */
  listening(): boolean {
    return this.subscribed;
  }

  /** Tells the other processes; a lost message is logged (their entries then live out their TTL). */
  async announce(cache: string, key: string): Promise<void> {
    const message: Invalidation = { cache, key };
    await this.publisher
      ?.publish(this.channel, JSON.stringify(message))
      .catch((error: Error) =>
        this.logger.warn(`redis: the invalidation of ${cache} ${key} was not sent: ${error.message}`),
      );
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscribed = false;
    for (const redis of [this.subscriber, this.publisher]) await redis?.quit().catch(() => undefined);
  }

  private connect(): void {
    if (this.subscriber) return;
    const url = this.config.env.REDIS_URL;
    this.publisher = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.subscriber = new Redis(url, { maxRetriesPerRequest: null });
    for (const redis of [this.publisher, this.subscriber])
      redis.on('error', (error: Error) => this.logger.warn(`redis: ${error.message}`));
    const subscriber = this.subscriber;
    // Whatever changed while the connection was down went unheard: start over empty each time.
    subscriber.on('ready', () => {
      void subscriber
        .subscribe(this.channel)
        .then(() => {
          for (const cache of this.caches.values()) cache.drop(null);
          this.subscribed = true;
        })
        .catch((error: Error) => this.logger.warn(`redis: cannot subscribe: ${error.message}`));
    });
    subscriber.on('close', () => {
      this.subscribed = false;
    });
    subscriber.on('message', (_channel: string, raw: string) => {
      try {
        const { cache, key } = JSON.parse(raw) as Invalidation;
        this.caches.get(cache)?.drop(key);
      } catch {
        this.logger.warn(`an unreadable cache invalidation was ignored: ${raw.slice(0, 100)}`);
      }
    });
  }
}
