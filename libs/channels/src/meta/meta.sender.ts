import { Injectable } from '@nestjs/common';
import {
  ChannelSendError,
  type ChannelSender,
  type OutboundRequest,
  type SendResult,
  type TypingRequest,
} from '../channel-sender.js';
import { GraphClient, GraphRequestError, type GraphError } from './graph-client.js';

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80006]);
const ATTACHMENT_TYPES = ['image', 'video', 'audio'] as const;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Messenger and Instagram Direct through the Send API. */
@Injectable()
export class MetaSender implements ChannelSender {
  readonly channels = ['messenger', 'instagram'] as const;

  constructor(private readonly graph: GraphClient) {}

  async send(request: OutboundRequest): Promise<SendResult> {
    const { pageId, token } = credentials(request);
    const policy = request.messageTag
      ? { messaging_type: 'MESSAGE_TAG', tag: request.messageTag }
      : { messaging_type: 'RESPONSE' };
    const messages: Array<Record<string, unknown>> = [];
    if (request.body.trim()) {
      const quickReplies = request.quickReplies?.slice(0, 13).map((reply) => ({
        content_type: 'text',
        title: reply.title.slice(0, 20),
        payload: reply.payload,
      }));
      messages.push({ text: request.body, ...(quickReplies?.length ? { quick_replies: quickReplies } : {}) });
    }
    for (const attachment of request.attachments.filter((a) => /^https:\/\//.test(a.url))) {
      const kind = ATTACHMENT_TYPES.find((type) => attachment.contentType.startsWith(`${type}/`)) ?? 'file';
      messages.push({ attachment: { type: kind, payload: { url: attachment.url, is_reusable: false } } });
    }
    let first: string | null = null;
    for (const message of messages) {
      try {
        const sent = await this.graph.sendMessage(pageId, token, {
          recipient: { id: request.to.value },
          ...policy,
          message,
        });
        first ??= sent.messageId;
      } catch (error) {
        throw classify(error);
      }
    }
    if (!first)
      throw new ChannelSendError(
        'Nothing to send: the reply has no text and no https attachment',
        'empty',
        false,
      );
    return { providerId: first, status: 'sent' };
  }

  async typing(request: TypingRequest): Promise<void> {
    const { pageId, token } = credentials(request);
    await this.graph
      .sendMessage(pageId, token, {
        recipient: { id: request.to.value },
        sender_action: request.on ? 'typing_on' : 'typing_off',
      })
      .catch(() => undefined);
  }
}

function credentials(request: Pick<OutboundRequest, 'config' | 'secrets'>): {
  pageId: string;
  token: string;
} {
  const pageId = str(request.config.pageId);
  const token = str(request.secrets.pageAccessToken);
  if (!pageId || !token)
    throw new ChannelSendError('The inbox has no page id or page access token', 'not_configured', false);
  return { pageId, token };
}

/** Graph errors → clear, classified failures (CHANNELS.md §2.4). */
function classify(error: unknown): ChannelSendError {
  if (!(error instanceof GraphRequestError))
    return new ChannelSendError((error as Error).message, 'internal', true);
  const { code, subcode, status, message }: GraphError = error.error;
  if (code === 190) {
    return new ChannelSendError(
      `The page access token is invalid or expired: ${message}`,
      'reauthorization_required',
      false,
    );
  }
  if (code === 10 && subcode === 2018278) {
    return new ChannelSendError(
      'Meta refused it: outside the allowed messaging window',
      'outside_window',
      false,
    );
  }
  if (code === 551)
    return new ChannelSendError('This person is not available right now', 'recipient_unavailable', false);
  if ((code !== null && RATE_LIMIT_CODES.has(code)) || status === 429) {
    return new ChannelSendError('Rate limited by Meta', 'rate_limited', true);
  }
  if (status === 0 || status >= 500 || code === 2)
    return new ChannelSendError(message, 'provider_unavailable', true);
  return new ChannelSendError(message, code ? `meta_${code}` : `http_${status}`, false);
}
