import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@parley/accounts';
import { InboxModule } from '@parley/inbox';
import { SurveysModule } from '@parley/surveys';
import { CalendarsService } from './calendars.service.js';
import { MetricsRepository } from './metrics.repository.js';
import { MetricsService } from './metrics.service.js';
import { REPORTING_ENTITIES } from './reporting.entities.js';
import { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';
import { RollupsRepository } from './rollups.repository.js';
import { SlaPoliciesService } from './sla-policies.service.js';

@Module({
  imports: [AccountsModule, InboxModule, SurveysModule, TypeOrmModule.forFeature(REPORTING_ENTITIES)],
  providers: [
    CalendarsService,
    MetricsRepository,
    MetricsService,
    ReportsRepository,
    ReportsService,
    RollupsRepository,
    SlaPoliciesService,
  ],
  exports: [CalendarsService, MetricsService, ReportsService, RollupsRepository, SlaPoliciesService],
})
export class ReportingModule {}
