import { Module } from '@nestjs/common';
import { ApiWebhookSender } from './api/api-webhook.sender.js';
import { CHANNEL_SENDERS, type ChannelSender } from './channel-sender.js';
import { ChannelSenders } from './channel-senders.js';
import { EmailSender } from './email/email.sender.js';
import { AttachmentStore } from './storage/attachment-store.js';
import { GraphClient } from './meta/graph-client.js';
import { MetaSender } from './meta/meta.sender.js';
import { TwilioSender } from './twilio/twilio.sender.js';
import { WebchatSender } from './webchat/webchat.sender.js';

@Module({
  exports: [AttachmentStore, ChannelSenders, GraphClient],
  providers: [
    ApiWebhookSender,
    AttachmentStore,
    ChannelSenders,
    EmailSender,
    GraphClient,
    MetaSender,
    TwilioSender,
    WebchatSender,
    {
      inject: [ApiWebhookSender, EmailSender, MetaSender, TwilioSender, WebchatSender],
      provide: CHANNEL_SENDERS,
      useFactory: (...senders: ChannelSender[]) => senders,
    },
  ],
})
export class ChannelsModule {}
