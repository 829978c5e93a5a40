export { BusinessHours, type BusinessHoursScope } from './business-hours.js';
export { CatalogService } from './catalog.service.js';
export { ContactsService, erasedError, type ContactProfile } from './contacts.service.js';
export type {
  ConversationFilter,
  ConversationListRow,
  InboxSort,
  InboxView,
} from './conversation.repository.js';
export {
  ConversationHookRegistry,
  type ConversationChange,
  type ConversationHooks,
  type InboundCandidate,
  type InboundClaim,
} from './conversation-hooks.js';
export {
  ConversationsService,
  type AutomatedMessage,
  type ConversationDetail,
  type ReplyInput,
} from './conversations.service.js';
export { DeliveryService, RetryDelivery, type DeliveryOutcome } from './delivery.service.js';
export {
  EmailInboundService,
  EmailRejectedError,
  type EmailOriginalView,
  type EmailReceipt,
} from './email-inbound.service.js';
export { EmailWebhooksService, type MimeWebhookFields } from './email-webhooks.service.js';
export { ImapPollers } from './imap-pollers.service.js';
export { canAdvance } from './delivery-status.js';
export { Effects, SYSTEM, type Actor } from './effects.js';
export { normalizeIdentity } from './identity.js';
export {
  CannedResponse,
  Contact,
  ContactIdentity,
  ContactMerge,
  Conversation,
  ConversationEvent,
  EmailMailboxState,
  INBOX_ENTITIES,
  Inbox,
  Label,
  Message,
  type Attachment,
  type ConversationEventType,
  type IdentityKind,
} from './inbox.entities.js';
export { InboxError, InboxErrorCode, WebhookSignatureError } from './inbox.errors.js';
export { InboxModule } from './inbox.module.js';
export {
  InboxesService,
  type InboxInput,
  type InboxPublicView,
  type SecretsResealReport,
} from './inboxes.service.js';
export {
  IngestService,
  type AutomaticInbound,
  type InboundMessage,
  type IngestOutcome,
  type IngestResult,
} from './ingest.service.js';
export { PRIORITIES } from './priority.js';
export { MediaService } from './media.service.js';
export type { ReplyOption } from './reply-router.js';
export { TwilioWebhooksService } from './twilio-webhooks.service.js';
export { MetaWebhooksService, type MetaBatchResult } from './meta-webhooks.service.js';
export type { ChannelHealth } from './inbox.entities.js';
export { AssignmentService, type AssignmentScope } from './assignment.service.js';
export type { AssignmentPolicy } from './inbox.entities.js';
export { AutomationService, type AutomationRuleView } from './automation.service.js';
export {
  AUTOMATION_EVENTS,
  parseRule,
  type AutomationEvent,
  type RuleDefinition,
} from './automation-rule.schema.js';
export {
  readWebchatConfig,
  webchatConfigProblem,
  type PreChatField,
  type WebchatConfig,
} from './webchat-config.js';
export {
  WebchatRefusal,
  WebchatService,
  type VisitorDetails,
  type VisitorMessageInput,
  type WebchatHandshake,
  type WebchatSession,
  type WebchatSettings,
} from './webchat.service.js';
export { WebchatContinuityService } from './webchat-continuity.service.js';
export { toConversationView } from './views.js';
