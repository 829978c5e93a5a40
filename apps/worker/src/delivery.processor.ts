import { Logger } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { DeliveryService } from '@parley/inbox';
import type { JobMap, JobNameOf } from '@parley/jobs';

export const DELIVERY_JOBS: ReadonlyArray<JobNameOf<'delivery'>> = ['delivery.deliver', 'delivery.typing'];

/** Sends agent replies through their channel; BullMQ retries with backoff while the failure is retryable. */
@Processor('delivery', { concurrency: 10 })
export class DeliveryProcessor extends WorkerHost {
  private readonly logger = new Logger(DeliveryProcessor.name);

  constructor(private readonly delivery: DeliveryService) {
    super();
  }

  async process(job: Job<JobMap['delivery.deliver'] & JobMap['delivery.typing']>): Promise<string> {
    const name = job.name as JobNameOf<'delivery'>;
    switch (name) {
      case 'delivery.deliver': {
        const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        const outcome = await this.delivery.deliver(job.data.workspaceId, job.data.messageId, lastAttempt);
        if (outcome === 'failed') this.logger.warn(`message ${job.data.messageId} failed permanently`);
        return outcome;
      }
      case 'delivery.typing':
        await this.delivery.sendTyping(job.data.workspaceId, job.data.conversationId, job.data.on);
        return 'sent';
    }
  }
}
