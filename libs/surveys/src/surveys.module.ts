import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@parley/accounts';
import { InboxModule } from '@parley/inbox';
import { SurveyCampaignsService } from './survey-campaigns.service.js';
import { SurveyPoliciesService } from './survey-policies.service.js';
import { SurveyReportsService } from './survey-reports.service.js';
import { SURVEY_ENTITIES } from './surveys.entities.js';
import { SurveysRepository } from './surveys.repository.js';
import { SurveysService } from './surveys.service.js';

/** Importing this module is what turns surveys on: it registers its hooks with the inbox. */
@Module({
  imports: [AccountsModule, InboxModule, TypeOrmModule.forFeature(SURVEY_ENTITIES)],
  providers: [
    SurveyCampaignsService,
    SurveyPoliciesService,
    SurveyReportsService,
    SurveysRepository,
    SurveysService,
  ],
  exports: [SurveyCampaignsService, SurveyPoliciesService, SurveyReportsService, SurveysService],
})
export class SurveysModule {}
