import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { ConversationsService } from '@parley/inbox';
import type { JobMap, JobName } from '@parley/jobs';

export const CONVERSATION_JOBS: readonly JobName[] = ['conversations.unsnooze'];

/** Timers on conversations: wakes snoozed ones when their time comes. */
@Processor('conversations', { concurrency: 5 })
export class ConversationsProcessor extends WorkerHost {
  constructor(private readonly conversations: ConversationsService) {
    super();
  }

  async process(job: Job<JobMap['conversations.unsnooze']>): Promise<void> {
    const name = job.name as JobName;
    switch (name) {
      case 'conversations.unsnooze':
        await this.conversations.wake(
          job.data.workspaceId,
          job.data.conversationId,
          new Date(job.data.snoozedUntil),
        );
        return;
      case 'delivery.deliver':
        throw new Error(`${name} does not belong to the conversations queue`);
    }
  }
}
