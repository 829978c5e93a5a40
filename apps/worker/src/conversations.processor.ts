import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { ConversationsService, WebchatContinuityService } from '@parley/inbox';
import { JobQueues, type JobMap, type JobNameOf } from '@parley/jobs';

export const CONVERSATION_JOBS: ReadonlyArray<JobNameOf<'conversations'>> = [
  'conversations.unsnooze',
  'conversations.continuity',
];

/** Once a minute, once across all workers: unread web chat replies go out by email. */
const CONTINUITY_EVERY_MS = 60_000;

/** Timers on conversations: wakes snoozed ones when their time comes, emails web chat replies nobody read. */
@Processor('conversations', { concurrency: 5 })
export class ConversationsProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly continuity: WebchatContinuityService,
    private readonly queues: JobQueues,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queues.schedule('webchat-continuity', 'conversations.continuity', {}, CONTINUITY_EVERY_MS);
  }

  async process(job: Job<JobMap['conversations.unsnooze']>): Promise<unknown> {
    const name = job.name as JobNameOf<'conversations'>;
    switch (name) {
      case 'conversations.unsnooze':
        return this.conversations.wake(
          job.data.workspaceId,
          job.data.conversationId,
          new Date(job.data.snoozedUntil),
        );
      case 'conversations.continuity':
        return this.continuity.sendDue();
    }
  }
}
