import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AutomationService } from '@parley/inbox';
import type { JobMap, JobNameOf } from '@parley/jobs';

export const AUTOMATION_JOBS: ReadonlyArray<JobNameOf<'automation'>> = ['automation.run'];

/** Automation rules, evaluated after the event committed. */
@Processor('automation', { concurrency: 4 })
export class AutomationProcessor extends WorkerHost {
  constructor(private readonly automation: AutomationService) {
    super();
  }

  async process(job: Job<JobMap['automation.run']>): Promise<number> {
    const name = job.name as JobNameOf<'automation'>;
    switch (name) {
      case 'automation.run':
        return this.automation.handle(
          job.data.workspaceId,
          job.data.event,
          job.data.conversationId,
          job.data.messageId,
          job.data.chain,
        );
    }
  }
}
