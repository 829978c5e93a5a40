import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { ConversationsService } from '@parley/inbox';
import type { JobMap, JobNameOf } from '@parley/jobs';

export const CONVERSATION_JOBS: ReadonlyArray<JobNameOf<'conversations'>> = ['conversations.unsnooze'];

/** Timers on conversations: wakes snoozed ones when their time comes. */
@Processor('conversations', { concurrency: 5 })
export class ConversationsProcessor extends WorkerHost {
  constructor(private readonly conversations: ConversationsService) {
    super();
  }

  async process(job: Job<JobMap['conversations.unsnooze']>): Promise<void> {
    const name = job.name as JobNameOf<'conversations'>;
    switch (name) {
      case 'conversations.unsnooze':
        await this.conversations.wake(
          job.data.workspaceId,
          job.data.conversationId,
          new Date(job.data.snoozedUntil),
        );
        return;
    }
  }
}
