import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobQueues } from './job-queues.js';
import { OutboxRelay } from './outbox-relay.js';
import { OutboxEntry } from './outbox.entity.js';
import { OutboxRepository } from './outbox.repository.js';

@Global()
@Module({
  exports: [JobQueues, OutboxRelay, OutboxRepository],
  imports: [TypeOrmModule.forFeature([OutboxEntry])],
  providers: [JobQueues, OutboxRelay, OutboxRepository],
})
export class JobsModule {}
