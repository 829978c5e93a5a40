import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChannelsModule } from '@parley/channels';
import { AssignmentService } from './assignment.service.js';
import { AutomationService } from './automation.service.js';
import { BusinessHours } from './business-hours.js';
import { CatalogService } from './catalog.service.js';
import { ContactsService } from './contacts.service.js';
import { ConversationHookRegistry } from './conversation-hooks.js';
import { ConversationRepository } from './conversation.repository.js';
import { ConversationsService } from './conversations.service.js';
import { DeliveryService } from './delivery.service.js';
import { DirectoryRepository } from './directory.repository.js';
import { EmailInboundService } from './email-inbound.service.js';
import { EmailMailboxRepository } from './email-mailbox.repository.js';
import { EmailThreads } from './email-threads.js';
import { EmailWebhooksService } from './email-webhooks.service.js';
import { ImapPollers } from './imap-pollers.service.js';
import { InboundEventRepository } from './inbound-event.repository.js';
import { INBOX_ENTITIES } from './inbox.entities.js';
import { InboxesService } from './inboxes.service.js';
import { IngestService } from './ingest.service.js';
import { MediaService } from './media.service.js';
import { MetaWebhooksService } from './meta-webhooks.service.js';
import { ReplyRouter } from './reply-router.js';
import { TwilioWebhooksService } from './twilio-webhooks.service.js';
import { WebchatContinuityService } from './webchat-continuity.service.js';
import { WebchatService } from './webchat.service.js';

@Module({
  exports: [
    AssignmentService,
    AutomationService,
    BusinessHours,
    CatalogService,
    ContactsService,
    ConversationHookRegistry,
    ConversationsService,
    DeliveryService,
    EmailInboundService,
    EmailWebhooksService,
    ImapPollers,
    InboxesService,
    IngestService,
    MediaService,
    MetaWebhooksService,
    TwilioWebhooksService,
    WebchatContinuityService,
    WebchatService,
  ],
  imports: [ChannelsModule, TypeOrmModule.forFeature(INBOX_ENTITIES)],
  providers: [
    AssignmentService,
    AutomationService,
    BusinessHours,
    CatalogService,
    ContactsService,
    ConversationHookRegistry,
    ConversationRepository,
    ConversationsService,
    DeliveryService,
    DirectoryRepository,
    EmailInboundService,
    EmailMailboxRepository,
    EmailThreads,
    EmailWebhooksService,
    ImapPollers,
    InboundEventRepository,
    InboxesService,
    IngestService,
    MediaService,
    MetaWebhooksService,
    ReplyRouter,
    TwilioWebhooksService,
    WebchatContinuityService,
    WebchatService,
  ],
})
export class InboxModule {}
