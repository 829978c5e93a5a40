import { Injectable } from '@nestjs/common';
import { AppConfig } from '@parley/config';
import {
  ChannelSendError,
  type ChannelSender,
  type OutboundRequest,
  type SendResult,
} from '../channel-sender.js';
import { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook-signature.js';

const RETRYABLE_STATUSES = new Set([408, 425, 429]);

/** The API channel: agent replies are POSTed, signed, to the inbox's webhook URL. */
@Injectable()
export class ApiWebhookSender implements ChannelSender {
  readonly channels = ['api'] as const;

  constructor(private readonly config: AppConfig) {}

  async send(request: OutboundRequest): Promise<SendResult> {
    const url = typeof request.config.webhookUrl === 'string' ? request.config.webhookUrl : '';
    const secret = typeof request.secrets.webhookSecret === 'string' ? request.secrets.webhookSecret : '';
    if (!url || !secret) {
      throw new ChannelSendError(
        'The API inbox has no webhook URL or secret configured',
        'not_configured',
        false,
      );
    }
    const body = JSON.stringify({
      event: 'message.created',
      id: request.messageId,
      inboxId: request.inboxId,
      conversationId: request.conversationId,
      contactId: request.contactId,
      to: request.to,
      body: request.body,
      attachments: request.attachments,
      author: request.author,
      createdAt: request.createdAt,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Parley-Webhook/1',
          'x-parley-event': 'message.created',
          'x-parley-delivery': request.messageId,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
        },
        redirect: 'error',
        signal: AbortSignal.timeout(this.config.env.OUTBOUND_WEBHOOK_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ChannelSendError(`Webhook unreachable: ${(error as Error).message}`, 'unreachable', true);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      const retryable = response.status >= 500 || RETRYABLE_STATUSES.has(response.status);
      throw new ChannelSendError(
        `Webhook answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
        `http_${response.status}`,
        retryable,
      );
    }
    return { providerId: providerIdFrom(text) ?? request.messageId, status: 'sent' };
  }
}

function providerIdFrom(text: string): string | null {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && 'id' in parsed) {
      const id = parsed.id;
      if (typeof id === 'string' && id.length > 0 && id.length <= 200) return id;
    }
  } catch {
    // a receiver need not answer JSON
  }
  return null;
}
