import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import type { JobMap, JobNameOf } from '@parley/jobs';
import { MetricsService } from '@parley/reporting';

export const METRICS_JOBS: ReadonlyArray<JobNameOf<'metrics'>> = ['metrics.conversation', 'metrics.sla'];

/** Keeps conversation metrics in step with the event log and fires SLA warnings and breaches. */
@Processor('metrics', { concurrency: 4 })
export class MetricsProcessor extends WorkerHost {
  constructor(private readonly metrics: MetricsService) {
    super();
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
    }
  }
}
