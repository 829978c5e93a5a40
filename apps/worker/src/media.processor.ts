import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { MediaService } from '@parley/inbox';
import type { JobMap, JobNameOf } from '@parley/jobs';

export const MEDIA_JOBS: ReadonlyArray<JobNameOf<'media'>> = ['media.fetch', 'media.profile'];

/** Downloads provider media (e.g. Twilio MediaUrl) into the attachment store, off the webhook's path. */
@Processor('media', { concurrency: 4 })
export class MediaProcessor extends WorkerHost {
  constructor(private readonly media: MediaService) {
    super();
  }

  async process(job: Job<JobMap['media.fetch'] & JobMap['media.profile']>): Promise<void> {
    const name = job.name as JobNameOf<'media'>;
    switch (name) {
      case 'media.fetch':
        await this.media.fetchPending(
          job.data.workspaceId,
          job.data.messageId,
          job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
        );
        return;
      case 'media.profile':
        await this.media.fetchProfile(job.data.workspaceId, job.data.contactId, job.data.identityId);
        return;
    }
  }
}
