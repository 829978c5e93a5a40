import { Module } from '@nestjs/common';
import { ApiWebhookSender } from './api/api-webhook.sender.js';
import { CHANNEL_SENDERS, type ChannelSender } from './channel-sender.js';
import { ChannelSenders } from './channel-senders.js';

@Module({
  exports: [ChannelSenders],
  providers: [
    ApiWebhookSender,
    ChannelSenders,
    {
      inject: [ApiWebhookSender],
      provide: CHANNEL_SENDERS,
      useFactory: (...senders: ChannelSender[]) => senders,
    },
  ],
})
export class ChannelsModule {}
