export { signWebhook, verifyWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './api/webhook-signature.js';
export {
  ChannelSendError,
  type ChannelSender,
  type OutboundRequest,
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
