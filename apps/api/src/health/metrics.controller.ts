import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, NotFoundException, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AppConfig } from '@parley/config';
import { JobQueues, OutboxRepository, QUEUE_NAMES } from '@parley/jobs';
import { Metrics } from '@parley/observability';
import { Public } from '../auth/auth.decorators.js';

interface PlainResponse {
  type(contentType: string): unknown;
}

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Prometheus scrape endpoint. With METRICS_TOKEN set it needs `Authorization: Bearer <token>`; in production it must be set. */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
    queues: JobQueues,
    outbox: OutboxRepository,
  ) {
    metrics.scrapeGauge(
      'parley_queue_jobs',
      'BullMQ jobs by queue and state (shared by all workers)',
      ['queue', 'state'],
      async (gauge) => {
        for (const name of QUEUE_NAMES) {
          const counts = await queues.queue(name).getJobCounts(...JOB_STATES);
          for (const state of JOB_STATES) gauge.set({ queue: name, state }, counts[state] ?? 0);
        }
      },
    );
    metrics.scrapeGauge(
      'parley_outbox_pending',
      'Outbox rows committed but not yet relayed',
      [],
      async (gauge) => {
        gauge.set(await outbox.countPending());
      },
    );
  }

  @Get()
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) response: PlainResponse,
  ): Promise<string> {
    const token = this.config.env.METRICS_TOKEN;
    if (token) {
      const given = Buffer.from(authorization?.replace(/^Bearer /i, '') ?? '');
      const expected = Buffer.from(token);
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        throw new UnauthorizedException('A metrics token is required');
    } else if (this.config.isProduction) {
      throw new NotFoundException();
    }
    const { contentType, body } = await this.metrics.render();
    response.type(contentType);
    return body;
  }
}
