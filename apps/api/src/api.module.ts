import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
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
import {
  ApiKeysController,
  MembersController,
  TeamsController,
  WorkspaceController,
} from './admin/admin.controllers.js';
import { ApiChannelController } from './api-channel/api-channel.controller.js';
import { AttachmentsController } from './attachments/attachments.controller.js';
import { AuthController } from './auth/auth.controller.js';
import { AutomationRulesController } from './automation/automation-rules.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AuditInterceptor } from './common/audit.interceptor.js';
import { CannedResponsesController } from './catalog/canned-responses.controller.js';
import { LabelsController } from './catalog/labels.controller.js';
import { RateLimitCounters } from './common/rate-limit.store.js';
import { ContactsController } from './contacts/contacts.controller.js';
import { EmailMessagesController } from './email/email-messages.controller.js';
import { EmailWebhooksController } from './email/email-webhooks.controller.js';
import { ConversationsController } from './conversations/conversations.controller.js';
import { HealthController } from './health/health.controller.js';
import { HealthService } from './health/health.service.js';
import { InboxesController } from './inboxes/inboxes.controller.js';
import { MetricsController } from './health/metrics.controller.js';
import { AuditLogController, ContactPrivacyController } from './privacy/privacy.controllers.js';
import { CalendarsController, SlaPoliciesController } from './reports/calendars-sla.controllers.js';
import { ConversationSlaController } from './reports/conversation-sla.controller.js';
import { ReportsController } from './reports/reports.controller.js';
import { AgentGateway } from './realtime/agent.gateway.js';
import {
  ConversationSurveysController,
  PublicSurveysController,
  SurveysController,
} from './surveys/surveys.controllers.js';
import { MetaWebhooksController } from './webhooks/meta-webhooks.controller.js';
import { TwilioWebhooksController } from './webhooks/twilio-webhooks.controller.js';
import { WidgetModule } from './widget/widget.module.js';

@Module({
  controllers: [
    ApiChannelController,
    ApiKeysController,
    AuditLogController,
    AttachmentsController,
    AuthController,
    AutomationRulesController,
    CalendarsController,
    CannedResponsesController,
    ContactPrivacyController,
    ContactsController,
    ConversationSlaController,
    ConversationSurveysController,
    ConversationsController,
    EmailMessagesController,
    EmailWebhooksController,
    HealthController,
    InboxesController,
    LabelsController,
    MembersController,
    MetricsController,
    MetaWebhooksController,
    PublicSurveysController,
    ReportsController,
    SlaPoliciesController,
    SurveysController,
    TeamsController,
    TwilioWebhooksController,
    WorkspaceController,
  ],
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
    WidgetModule,
  ],
  providers: [
    AgentGateway,
    HealthService,
    RateLimitCounters,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
})
export class ApiModule {}
