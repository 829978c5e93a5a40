import { Inject, Injectable } from '@nestjs/common';
import type { Channel } from '@parley/realtime';
import { CHANNEL_SENDERS, ChannelSendError, type ChannelSender } from './channel-sender.js';

/** Picks the sender for an inbox's channel. */
@Injectable()
export class ChannelSenders {
  private readonly byChannel = new Map<Channel, ChannelSender>();

  constructor(@Inject(CHANNEL_SENDERS) senders: ChannelSender[]) {
    for (const sender of senders) for (const channel of sender.channels) this.byChannel.set(channel, sender);
  }

  for(channel: Channel): ChannelSender {
    const sender = this.byChannel.get(channel);
    if (!sender)
      throw new ChannelSendError(`No sender for channel ${channel} yet`, 'unsupported_channel', false);
    return sender;
  }

  supports(channel: Channel): boolean {
    return this.byChannel.has(channel);
  }
}
