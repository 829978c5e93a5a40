import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * This process's Prometheus metrics. One registry per instance (not prom-client's global one), so
 * several apps in one process (tests) keep separate counts. Gauges that need I/O are read on scrape.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly ingested = new Counter({
    name: 'parley_messages_ingested_total',
    help: 'Customer messages taken in, by channel and outcome (created, joined, reopened, duplicate)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly ingestDuration = new Histogram({
    name: 'parley_ingest_duration_seconds',
    help: 'Time from a normalized inbound message to its committed transaction',
    labelNames: ['channel'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  readonly ingestBatchSize = new Histogram({
    name: 'parley_ingest_batch_size',
    help: 'Inbound messages stored per transaction (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [this.registry],
  });

  readonly ingestBatchRetries = new Counter({
    name: 'parley_ingest_batch_retries_total',
    help: 'Group commits rolled back and retried message by message (a bad message, a deadlock)',
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: 'parley_deliveries_total',
    help: 'Outbound delivery attempts by channel and result (sent, retry, failed)',
    labelNames: ['channel', 'result'] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'parley_job_duration_seconds',
    help: 'BullMQ job run time in this worker, by queue, job name and outcome (completed, failed)',
    labelNames: ['queue', 'job', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly jobWait = new Histogram({
    name: 'parley_job_wait_seconds',
    help: 'Time a BullMQ job waited from when it was due (enqueued plus its delay) until a worker started it',
    labelNames: ['queue', 'job'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  /** Records a finished job's run time and, for a first attempt, how long it waited (BullMQ's ms timestamps). */
  observeJob(
    queue: string,
    job: {
      name: string;
      timestamp: number;
      delay?: number;
      attemptsStarted?: number;
      processedOn?: number;
      finishedOn?: number;
    },
    outcome: 'completed' | 'failed',
  ): void {
    if (!job.processedOn || !job.finishedOn) return;
    this.jobDuration.observe({ queue, job: job.name, outcome }, (job.finishedOn - job.processedOn) / 1000);
    // A retry's start depends on its backoff, not on how busy the workers are: first attempts only.
    const due = job.timestamp + (job.delay ?? 0);
    if ((job.attemptsStarted ?? 1) <= 1 && job.processedOn >= due)
      this.jobWait.observe({ queue, job: job.name }, (job.processedOn - due) / 1000);
  }

  readonly sockets = new Gauge({
    name: 'parley_agent_sockets',
    help: 'Open /agent sockets on this process',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_process_' });
  }

  /** A gauge whose value is read when Prometheus scrapes (queue depths, outbox backlog). */
  scrapeGauge(name: string, help: string, labelNames: string[], read: (gauge: Gauge) => Promise<void>): void {
    if (this.registry.getSingleMetric(name)) return;
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        await read(this);
      },
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
