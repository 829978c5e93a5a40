export { signWebhook, verifyWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './api/webhook-signature.js';
export {
  ChannelSendError,
  type ChannelSender,
  type OutboundRequest,
  type SendResult,
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
