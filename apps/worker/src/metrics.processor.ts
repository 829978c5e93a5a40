import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobQueues, type JobMap, type JobNameOf } from '@parley/jobs';
import { MetricsService } from '@parley/reporting';

export const METRICS_JOBS: ReadonlyArray<JobNameOf<'metrics'>> = [
  'metrics.conversation',
  'metrics.sla',
  'metrics.rollups',
];

/** Once a second across all workers: the journaled rollup changes into `metrics_daily`. */
const FOLD_IN_EVERY_MS = 1_000;

/** Keeps conversation metrics in step with the event log and fires SLA warnings and breaches. */
@Processor('metrics', { concurrency: 4 })
export class MetricsProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly metrics: MetricsService,
    private readonly queues: JobQueues,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queues.schedule('metrics-rollups', 'metrics.rollups', {}, FOLD_IN_EVERY_MS);
  }

  async process(job: Job<JobMap[JobNameOf<'metrics'>]>): Promise<void> {
    const name = job.name as JobNameOf<'metrics'>;
    switch (name) {
      case 'metrics.conversation': {
        const data = job.data as JobMap['metrics.conversation'];
        await this.metrics.refresh(data.workspaceId, data.conversationId, BigInt(data.seq));
        return;
      }
      case 'metrics.sla': {
        const data = job.data as JobMap['metrics.sla'];
        await this.metrics.checkSla(data.workspaceId, data.conversationId, data.kind, data.stage, data.dueAt);
        return;
      }
      case 'metrics.rollups':
        await this.metrics.foldInRollups();
        return;
    }
  }
}
