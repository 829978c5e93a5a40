import { BullModule } from '@nestjs/bullmq';
import { Module, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { AccountsModule } from '@parley/accounts';
import { AppConfig, ConfigModule } from '@parley/config';
import { DatabaseModule } from '@parley/database';
import { ImapPollers, InboxModule } from '@parley/inbox';
import { JOB_NAMES, JobsModule, QUEUE_NAMES, type JobName } from '@parley/jobs';
import { ObservabilityModule } from '@parley/observability';
import { PrivacyModule } from '@parley/privacy';
import { RealtimeModule } from '@parley/realtime';
import { ReportingModule } from '@parley/reporting';
import { SurveysModule } from '@parley/surveys';
import { ASSIGNMENT_JOBS, AssignmentProcessor } from './assignment.processor.js';
import { AUTOMATION_JOBS, AutomationProcessor } from './automation.processor.js';
import { CONVERSATION_JOBS, ConversationsProcessor } from './conversations.processor.js';
import { DELIVERY_JOBS, DeliveryProcessor } from './delivery.processor.js';
import { MEDIA_JOBS, MediaProcessor } from './media.processor.js';
import { METRICS_JOBS, MetricsProcessor } from './metrics.processor.js';
import { PRIVACY_JOBS, PrivacyProcessor } from './privacy.processor.js';
import { SURVEY_JOBS, SurveysProcessor } from './surveys.processor.js';

/** The jobs this worker's processors handle. */
export const HANDLED_JOBS: readonly JobName[] = [
  ...ASSIGNMENT_JOBS,
  ...AUTOMATION_JOBS,
  ...CONVERSATION_JOBS,
  ...DELIVERY_JOBS,
  ...MEDIA_JOBS,
  ...METRICS_JOBS,
  ...PRIVACY_JOBS,
  ...SURVEY_JOBS,
];

/** Every job name must have exactly one handler; checked at boot, not discovered in production. */
export function assertEveryJobHandled(handled: readonly JobName[]): void {
  const missing = JOB_NAMES.filter((name) => !handled.includes(name));
  const twice = handled.filter((name, index) => handled.indexOf(name) !== index);
  if (missing.length || twice.length) {
    throw new Error(
      `Job handlers are wrong: missing [${missing.join(', ')}], duplicated [${twice.join(', ')}]`,
    );
  }
}

/** Every BullMQ processor of the worker (a shutdown closes them before anything else). */
export const PROCESSORS = [
  AssignmentProcessor,
  AutomationProcessor,
  ConversationsProcessor,
  DeliveryProcessor,
  MediaProcessor,
  MetricsProcessor,
  PrivacyProcessor,
  SurveysProcessor,
] as const;

@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        connection: { url: config.env.REDIS_URL, maxRetriesPerRequest: null },
        prefix: `${config.env.REDIS_PREFIX}:bull`,
      }),
    }),
    BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
    AccountsModule,
    ConfigModule,
    DatabaseModule,
    InboxModule,
    JobsModule,
    ObservabilityModule,
    PrivacyModule,
    RealtimeModule,
    ReportingModule,
    SurveysModule,
  ],
  providers: [...PROCESSORS],
})
export class WorkerModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(private readonly imapPollers: ImapPollers) {}

  /** IMAP polling of email inboxes runs in the worker (one poller per inbox across workers). */
  onApplicationBootstrap(): void {
    this.imapPollers.start();
  }

  onModuleInit(): void {
    assertEveryJobHandled(HANDLED_JOBS);
  }
}
