export { signWebhook, verifyWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './api/webhook-signature.js';
export {
  ChannelSendError,
  type ChannelSender,
  type EmailThreadContext,
  type OutboundRequest,
  type QuickReply,
  type SendResult,
  type TypingRequest,
} from './channel-sender.js';
export { ChannelSenders } from './channel-senders.js';
export { ChannelsModule } from './channels.module.js';
export { AttachmentStore, MediaError, type StoredFile } from './storage/attachment-store.js';
export { createTwilioClient, signTwilioRequest, verifyTwilioSignature } from './twilio/twilio-client.js';
export {
  describeTwilioError,
  parseTwilioInbound,
  parseTwilioStatus,
  TwilioPayloadError,
  type FormParams,
  type TwilioInbound,
  type TwilioStatusUpdate,
} from './twilio/twilio-payloads.js';
export { GraphClient, GraphRequestError } from './meta/graph-client.js';
export { MetaPayloadError, parseMetaWebhook, type MetaEvent } from './meta/meta-payloads.js';
export { signMetaPayload, verifyMetaSignature } from './meta/meta-signature.js';
export { detectAutomatic, type AutomaticKind, type AutomaticVerdict } from './email/auto-detect.js';
export { emailConfigProblem, readEmailConfig, type EmailConfig } from './email/email-config.js';
export { sanitizeEmailHtml } from './email/email-html.js';
export {
  EmailParseError,
  parseEmail,
  type DeliveryReport,
  type EmailAddress,
  type EmailAttachment,
  type ParsedEmail,
} from './email/email-parser.js';
export {
  baseSubject,
  messageIdsIn,
  replySubject,
  replyTokensIn,
  REPLY_SEPARATOR,
  trimReferences,
} from './email/email-threading.js';
export { EmailSender } from './email/email.sender.js';
export { ImapError, ImapMailbox, type ImapSettings, type MailboxEntry } from './email/imap-mailbox.js';
export { signMailgun, verifyMailgunSignature } from './email/mailgun-signature.js';
export {
  hmacHex,
  readVisitorToken,
  signVisitorToken,
  verifyIdentifierHash,
  type VisitorClaims,
} from './webchat/webchat-signature.js';
