import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { AppConfig } from '@parley/config';
import {
  QUEUE_NAMES,
  queueOf,
  type JobMap,
  type JobName,
  type JobRequest,
  type QueueName,
} from './job-map.js';

/** One BullMQ Queue per queue name, shared by every producer in the process. */
@Injectable()
export class JobQueues implements OnModuleDestroy {
  private readonly connection: Redis;
  private readonly queues: Map<QueueName, Queue>;
  /** The job schedulers this process asked for, re-applied whenever Redis comes back. */
  private readonly schedules = new Map<string, () => Promise<unknown>>();

  constructor(private readonly config: AppConfig) {
    // A producer fails fast while Redis is away (no offline queue), so the outbox keeps the row
    // and the sweeper retries, instead of a relay transaction waiting on Redis with rows locked.
    this.connection = new Redis(config.env.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.connection.on('error', () => undefined);
    // A Redis restarted without persistence comes back empty: without this, the periodic jobs
    // (sweeps) would stop until the worker restarts. Upserting an existing scheduler is a no-op.
    this.connection.on('ready', () => {
      for (const apply of this.schedules.values()) void apply().catch(() => undefined);
    });
    this.queues = new Map(
      QUEUE_NAMES.map((name) => {
        const queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
        // BullMQ re-emits connection errors on the queue; unheard, an EventEmitter `error` throws
        // (seen as "Connection is closed" when a process shuts down with a command in flight).
        // Callers of `add` still get the rejection, and the outbox retries.
        queue.on('error', () => undefined);
        return [name, queue];
      }),
    );
  }

  get prefix(): string {
    return `${this.config.env.REDIS_PREFIX}:bull`;
  }

  queue(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`Unknown queue ${name}`);
    return queue;
  }

  async add(job: JobRequest): Promise<void> {
    await this.queue(queueOf(job.name)).add(job.name, job.data, this.optionsOf(job));
  }

  /**
   * Jobs of one queue in one pipelined round trip (BullMQ `addBulk`, a MULTI), in the order given:
   * all of them are added, or the call rejects and none is.
   */
  async addBulk(queue: QueueName, jobs: JobRequest[]): Promise<void> {
    if (jobs.length === 0) return;
    if (jobs.length === 1) return this.add(jobs[0]);
    await this.queue(queue).addBulk(
      jobs.map((job) => ({ name: job.name, data: job.data, opts: this.optionsOf(job) })),
    );
  }

  private optionsOf(job: JobRequest) {
    return {
      jobId: job.jobId,
      delay: job.delayMs,
      attempts: this.config.env.DELIVERY_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.config.env.DELIVERY_BACKOFF_MS },
      removeOnComplete: { age: 24 * 3600, count: 10000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    };
  }

  /** A job that repeats every `everyMs`, once across all workers (a BullMQ job scheduler). */
  async schedule<N extends JobName>(id: string, name: N, data: JobMap[N], everyMs: number): Promise<void> {
    const apply = () =>
      this.queue(queueOf(name)).upsertJobScheduler(
        id,
        { every: everyMs },
        { name, data, opts: { removeOnComplete: 100, removeOnFail: 100 } },
      );
    this.schedules.set(`${queueOf(name)}:${id}`, apply);
    await apply();
  }

  ping(): Promise<string> {
    return this.connection.ping();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    await this.connection.quit().catch(() => undefined);
  }
}
