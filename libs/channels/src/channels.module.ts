import { Module } from '@nestjs/common';
import { ApiWebhookSender } from './api/api-webhook.sender.js';
import { CHANNEL_SENDERS, type ChannelSender } from './channel-sender.js';
import { ChannelSenders } from './channel-senders.js';
import { AttachmentStore } from './storage/attachment-store.js';
import { TwilioSender } from './twilio/twilio.sender.js';

@Module({
  exports: [AttachmentStore, ChannelSenders],
  providers: [
    ApiWebhookSender,
    AttachmentStore,
    ChannelSenders,
    TwilioSender,
    {
      inject: [ApiWebhookSender, TwilioSender],
      provide: CHANNEL_SENDERS,
      useFactory: (...senders: ChannelSender[]) => senders,
    },
  ],
})
export class ChannelsModule {}
