import { Module } from '@nestjs/common';
import { AccountsModule } from '@parley/accounts';
import { ConfigModule } from '@parley/config';
import { DatabaseModule } from '@parley/database';
import { InboxModule } from '@parley/inbox';
import { JobsModule } from '@parley/jobs';
import { ObservabilityModule } from '@parley/observability';
import { PrivacyModule } from '@parley/privacy';
import { RealtimeModule } from '@parley/realtime';
import { ReportingModule } from '@parley/reporting';
import { SurveysModule } from '@parley/surveys';
import { SeedService } from './seed.service.js';

/** The domain, for the command line: seeding, metric rebuilds and retention runs. */
@Module({
  imports: [
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
  providers: [SeedService],
})
export class SeedModule {}
