export {
  JOB_NAMES,
  QUEUE_NAMES,
  queueOf,
  type JobMap,
  type JobName,
  type JobNameOf,
  type JobRequest,
  type QueueName,
} from './job-map.js';
export { JobQueues } from './job-queues.js';
export { JobsModule } from './jobs.module.js';
export { OutboxRelay } from './outbox-relay.js';
export { OutboxEntry } from './outbox.entity.js';
export { OutboxRepository, type OutboxItem } from './outbox.repository.js';
export { assertRedisReachable } from './preflight.js';
