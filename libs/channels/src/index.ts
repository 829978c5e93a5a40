export { signWebhook, verifyWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './api/webhook-signature.js';
export {
  ChannelSendError,
  type ChannelSender,
  type OutboundRequest,
  type SendResult,
} from './channel-sender.js';
export { ChannelSenders } from './channel-senders.js';
export { ChannelsModule } from './channels.module.js';
