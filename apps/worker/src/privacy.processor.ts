import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobQueues, type JobNameOf } from '@parley/jobs';
import { PrivacyService, RetentionService } from '@parley/privacy';

export const PRIVACY_JOBS: ReadonlyArray<JobNameOf<'privacy'>> = ['privacy.retention', 'privacy.purge_files'];

/** Once a day, once across all workers. */
const RETENTION_EVERY_MS = 24 * 3600_000;

/** Retention windows per inbox, and deletion of files erasures and retention runs left behind. */
@Processor('privacy', { concurrency: 1 })
export class PrivacyProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly privacy: PrivacyService,
    private readonly retention: RetentionService,
    private readonly queues: JobQueues,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queues.schedule('privacy-retention', 'privacy.retention', {}, RETENTION_EVERY_MS);
  }

  async process(job: Job): Promise<unknown> {
    const name = job.name as JobNameOf<'privacy'>;
    switch (name) {
      case 'privacy.retention':
        return this.retention.run();
      case 'privacy.purge_files':
        return this.privacy.purgeFiles();
    }
  }
}
