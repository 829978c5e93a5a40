import { Module } from '@nestjs/common';
import { AccountsModule } from '@parley/accounts';
import { ConfigModule } from '@parley/config';
import { DatabaseModule } from '@parley/database';
import { InboxModule } from '@parley/inbox';
import { JobsModule } from '@parley/jobs';
import { ObservabilityModule } from '@parley/observability';
import { RealtimeModule } from '@parley/realtime';
import { SeedService } from './seed.service.js';

@Module({
  imports: [
    AccountsModule,
    ConfigModule,
    DatabaseModule,
    InboxModule,
    JobsModule,
    ObservabilityModule,
    RealtimeModule,
  ],
  providers: [SeedService],
})
export class SeedModule {}
