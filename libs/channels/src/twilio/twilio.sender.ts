import { Injectable } from '@nestjs/common';
import { AppConfig } from '@parley/config';
import {
  ChannelSendError,
  type ChannelSender,
  type OutboundRequest,
  type SendResult,
} from '../channel-sender.js';
import { createTwilioClient, type TwilioClient } from './twilio-client.js';
import { describeTwilioError, twilioErrorCode } from './twilio-payloads.js';

interface TwilioFailure {
  status?: number;
  code?: number;
  message?: string;
}

const MAX_CLIENTS = 50;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** SMS and WhatsApp through Twilio's Messages API (twilio-node), with status callbacks back to us. */
@Injectable()
export class TwilioSender implements ChannelSender {
  readonly channels = ['sms', 'whatsapp'] as const;
  private readonly clients = new Map<string, TwilioClient>();

  constructor(private readonly config: AppConfig) {}

  async send(request: OutboundRequest): Promise<SendResult> {
    const accountSid = str(request.config.accountSid);
    const authToken = str(request.secrets.authToken);
    const from = str(request.config.from);
    const messagingServiceSid = str(request.config.messagingServiceSid);
    if (!accountSid || !authToken || (!from && !messagingServiceSid)) {
      throw new ChannelSendError(
        'The inbox has no Twilio account SID, auth token or sender',
        'not_configured',
        false,
      );
    }
    const whatsapp = request.channel === 'whatsapp';
    const address = (value: string) =>
      whatsapp && !value.startsWith('whatsapp:') ? `whatsapp:${value}` : value;
    const statusCallback = `${this.config.env.PUBLIC_URL}/webhooks/twilio/${request.inboxId}/status?messageId=${request.messageId}`;
    const content = request.template
      ? {
          contentSid: request.template.contentSid,
          contentVariables: JSON.stringify(request.template.variables),
        }
      : {
          body: request.body,
          mediaUrl: request.attachments.map((a) => a.url).filter((url) => /^https?:\/\//.test(url)),
        };
    try {
      const message = await this.client(accountSid, authToken).messages.create({
        to: address(request.to.value),
        ...(messagingServiceSid ? { messagingServiceSid } : { from: address(from) }),
        statusCallback,
        ...content,
      });
      return { providerId: message.sid, status: 'sending' };
    } catch (error) {
      throw classify(error as TwilioFailure);
    }
  }

  private client(accountSid: string, authToken: string): TwilioClient {
    const key = `${accountSid}:${authToken}`;
    let client = this.clients.get(key);
    if (client) {
      this.clients.delete(key); // re-insert: most recently used last
    } else {
      client = createTwilioClient(accountSid, authToken, this.config.env.TWILIO_API_BASE_URL);
    }
    this.clients.set(key, client);
    // Old tokens must not linger after a rotation: keep only the most recently used clients.
    while (this.clients.size > MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value as string);
    return client;
  }
}

/** Twilio's answer → a clear, classified failure (CHANNELS.md §1.5). */
function classify(failure: TwilioFailure): ChannelSendError {
  const code = failure.code;
  const status = failure.status;
  const words = describeTwilioError(code, failure.message ?? 'failed');
  const known = twilioErrorCode(code);
  if (known === 'rate_limited') return new ChannelSendError(words, known, true);
  if (known === 'opted_out' || known === 'invalid_number' || known === 'whatsapp_window_closed') {
    return new ChannelSendError(words, known, false);
  }
  if (status === 429) return new ChannelSendError('Rate limited by the provider', 'rate_limited', true);
  if (status === 401 || status === 403 || code === 20003) {
    return new ChannelSendError('Twilio refused the account credentials', 'not_configured', false);
  }
  if (status === undefined || status >= 500) {
    return new ChannelSendError(
      `Twilio unavailable: ${failure.message ?? 'no answer'}`,
      'provider_unavailable',
      true,
    );
  }
  return new ChannelSendError(
    code ? `${words}: ${failure.message ?? ''}`.trim() : words,
    code ? known : `http_${status}`,
    false,
  );
}
