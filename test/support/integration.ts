import { Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AccountsModule } from '@parley/accounts';
import { ConfigModule } from '@parley/config';
import { DatabaseModule } from '@parley/database';
import { InboxModule } from '@parley/inbox';
import { JobsModule } from '@parley/jobs';
import { ObservabilityModule } from '@parley/observability';
import { RealtimeModule } from '@parley/realtime';
import { ReportingModule } from '@parley/reporting';
import { SurveysModule } from '@parley/surveys';
import { migrateTestDatabase, resetDatabase } from '@parley/testing';

@Module({
  imports: [
    AccountsModule,
    ConfigModule,
    DatabaseModule,
    InboxModule,
    JobsModule,
    ObservabilityModule,
    RealtimeModule,
    ReportingModule,
    SurveysModule,
  ],
})
class DomainTestModule {}

/** The domain libs wired as in the apps, against the tier's real PostgreSQL and Redis. */
export async function bootDomain(options: { reset?: boolean } = {}): Promise<TestingModule> {
  await migrateTestDatabase();
  const moduleRef = await Test.createTestingModule({ imports: [DomainTestModule] }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  if (options.reset !== false) await resetDatabase(moduleRef.get(DataSource));
  return moduleRef;
}
