import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@parley/config';
import { RealtimePublisher, type RealtimeEnvelope } from '@parley/realtime';
import { queueOf, type JobRequest, type QueueName } from './job-map.js';
import type { OutboxEntry } from './outbox.entity.js';
import { JobQueues } from './job-queues.js';
import { OutboxRepository } from './outbox.repository.js';

const BATCH = 200;
const PURGE_EVERY_MS = 3600_000;
const RETAIN_DISPATCHED_MS = 24 * 3600_000;

/**
 * Moves committed outbox rows to Redis: realtime events to socket.io, jobs to BullMQ.
 * Kicked right after each commit for low latency, and swept on a timer so a crash or a Redis
 * outage between commit and dispatch only delays delivery. Safe with many relays running.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly queues: JobQueues,
    private readonly publisher: RealtimePublisher,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), this.config.env.OUTBOX_SWEEP_MS);
    this.timer.unref();
    this.purgeTimer = setInterval(() => void this.purge(), PURGE_EVERY_MS);
    this.purgeTimer.unref();
    this.kick();
  }

  /** Dispatched rows are kept a day for inspection, then deleted. */
  async purge(now = Date.now()): Promise<number> {
    try {
      return await this.outbox.purgeDispatchedBefore(new Date(now - RETAIN_DISPATCHED_MS));
    } catch (error) {
      this.logger.warn(`outbox purge failed: ${(error as Error).message}`);
      return 0;
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.purgeTimer);
    await this.running;
  }

  /** Asks for a dispatch soon; calls while one runs coalesce into one more pass. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.dispatchAll()
      .then(() => undefined)
      .catch((error: Error) => this.logger.warn(`outbox dispatch failed: ${error.message}`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Waits for any pass in flight, then dispatches until nothing is pending; resolves with rows sent. */
  async drain(): Promise<number> {
    while (this.running) await this.running;
    return this.dispatchAll();
  }

  private async dispatchAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const sent = await this.dispatchBatch();
      total += sent;
      if (sent < BATCH || this.stopped) return total;
    }
  }

  /**
   * One pass: realtime events go to the emitter in id order, jobs to BullMQ in one `addBulk` per
   * queue (one round trip each instead of one per job). A queue that refuses its jobs keeps all of
   * them pending, with `last_error` on the first, for the next sweep; the other rows are stamped.
   */
  private dispatchBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await this.outbox.claimPending(manager, BATCH);
      const done: string[] = [];
      const jobs = new Map<QueueName, OutboxEntry[]>();
      for (const row of rows) {
        if (row.kind === 'realtime') {
          this.publisher.publish(row.payload as RealtimeEnvelope);
          done.push(row.id);
          continue;
        }
        const queue = queueOf((row.payload as JobRequest).name);
        const queued = jobs.get(queue);
        if (queued) queued.push(row);
        else jobs.set(queue, [row]);
      }
      const groups = [...jobs];
      const added = await Promise.allSettled(
        groups.map(([queue, queued]) =>
          this.queues.addBulk(
            queue,
            queued.map((row) => row.payload as JobRequest),
          ),
        ),
      );
      for (const [index, [, queued]] of groups.entries()) {
        const result = added[index];
        if (result.status === 'fulfilled') done.push(...queued.map((row) => row.id));
        else await this.outbox.markFailed(manager, queued[0].id, (result.reason as Error).message);
      }
      await this.outbox.markDispatched(manager, done);
      return done.length;
    });
  }
}
