import { Injectable } from '@nestjs/common';
import { RealtimePublisher, widgetRooms } from '@parley/realtime';
import {
  ChannelSendError,
  type ChannelSender,
  type OutboundRequest,
  type SendResult,
  type TypingRequest,
} from '../channel-sender.js';

/** The room of the visitor (or every device of a verified identifier) a reply is addressed to. */
function roomFor(to: { kind: string; value: string }, inboxId: string): string {
  switch (to.kind) {
    case 'visitor':
      return widgetRooms.visitor(to.value);
    case 'external':
      return widgetRooms.verified(inboxId, to.value);
    default:
      throw new ChannelSendError(`Web chat cannot reach a ${to.kind} identity`, 'unreachable', false);
  }
}

/**
 * Web chat: an agent reply is pushed to the visitor's open widgets (via Redis, from the worker).
 * `sent` means published; a visitor who is away gets it on their next visit (history), and the
 * read receipt moves it to `read`.
 */
@Injectable()
export class WebchatSender implements ChannelSender {
  readonly channels = ['webchat'] as const;

  constructor(private readonly publisher: RealtimePublisher) {}

  send(request: OutboundRequest): Promise<SendResult> {
    const room = roomFor(request.to, request.inboxId);
    try {
      this.publisher.publishToWidgets([room], 'message', {
        message: {
          id: request.messageId,
          direction: 'out',
          kind: request.survey ? 'survey' : 'text',
          body: request.body,
          author: { name: request.author.name, type: request.author.type },
          attachments: request.attachments.map(({ name, contentType, size, url }) => ({
            name,
            contentType,
            size,
            url,
          })),
          echoId: null,
          survey: request.survey ?? null,
          createdAt: request.createdAt,
          readAt: null,
        },
      });
    } catch (error) {
      throw new ChannelSendError((error as Error).message, 'realtime_unavailable', true);
    }
    return Promise.resolve({ providerId: `webchat:${request.messageId}`, status: 'sent' });
  }

  typing(request: TypingRequest): Promise<void> {
    this.publisher.publishToWidgets([roomFor(request.to, request.inboxId)], 'typing', {
      state: request.on ? 'on' : 'off',
      agentName: null,
    });
    return Promise.resolve();
  }
}
