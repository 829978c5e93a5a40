import { Injectable, Logger } from '@nestjs/common';
import {
  parseTwilioInbound,
  parseTwilioStatus,
  verifyTwilioSignature,
  type FormParams,
} from '@parley/channels';
import { TransactionRunner } from '@parley/database';
import { DeliveryService } from './delivery.service.js';
import { normalizeIdentity } from './identity.js';
import { InboundEventRepository } from './inbound-event.repository.js';
import { Inbox, Message, type IdentityKind } from './inbox.entities.js';
import { WebhookSignatureError } from './inbox.errors.js';
import { InboxesService } from './inboxes.service.js';
import { IngestService, type IngestResult } from './ingest.service.js';

/** Twilio webhooks for SMS and WhatsApp inboxes: signature, journal, ingest; status callbacks. */
@Injectable()
export class TwilioWebhooksService {
  private readonly logger = new Logger(TwilioWebhooksService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly inboxes: InboxesService,
    private readonly ingest: IngestService,
    private readonly delivery: DeliveryService,
    private readonly journal: InboundEventRepository,
  ) {}

  /** An inbound message. `url` is the public URL Twilio posted to (PUBLIC_URL + path and query). */
  async receiveMessage(
    inboxId: string,
    url: string,
    signature: string,
    params: FormParams,
  ): Promise<IngestResult> {
    const inbox = await this.verified(inboxId, url, signature, params);
    const inbound = parseTwilioInbound(params);
    await this.journal.journal(inbox.workspaceId, inbox.id, 'twilio', inbound.messageSid, params);
    try {
      const result = await this.ingest.ingest({
        workspaceId: inbox.workspaceId,
        inboxId: inbox.id,
        externalId: inbound.messageSid,
        identities: [senderIdentity(inbound.from)],
        contactName: inbound.profileName,
        body: inbound.location
          ? `📍 ${inbound.location.latitude}, ${inbound.location.longitude}`
          : inbound.body,
        pendingMedia: inbound.media,
        consent: inbound.consent,
        metadata: {
          twilio: { to: inbound.to, accountSid: inbound.accountSid },
          ...(inbound.location ? { location: inbound.location } : {}),
        },
      });
      await this.journal.markProcessed(inbox.workspaceId, inbox.id, inbound.messageSid);
      return result;
    } catch (error) {
      // Kept for replay and audit: why this payload did not become a message.
      await this.journal
        .markProcessed(inbox.workspaceId, inbox.id, inbound.messageSid, (error as Error).message)
        .catch(() => undefined);
      throw error;
    }
  }

  /** A status callback: forward-only status on the message we sent (found by our id, else by SID). */
  async receiveStatus(
    inboxId: string,
    url: string,
    signature: string,
    params: FormParams,
    messageId?: string,
  ): Promise<boolean> {
    const inbox = await this.verified(inboxId, url, signature, params);
    const update = parseTwilioStatus(params);
    const message = await this.tx.manager.findOne(Message, {
      where:
        messageId && /^[0-9a-f-]{36}$/i.test(messageId)
          ? { workspaceId: inbox.workspaceId, inboxId: inbox.id, id: messageId }
          : { workspaceId: inbox.workspaceId, inboxId: inbox.id, externalId: update.messageSid },
    });
    if (!message || message.direction !== 'out') {
      this.logger.warn(`status ${update.messageSid} for an unknown message on inbox ${inbox.id}`);
      return false;
    }
    if (update.error?.code === 'opted_out' && message.identityId && message.channel) {
      await this.delivery.optOut(message.identityId, message.channel);
    }
    if (!update.status) return false;
    return this.delivery.applyStatus(
      inbox.workspaceId,
      message.id,
      update.status,
      update.error,
      update.messageSid,
    );
  }

  private async verified(
    inboxId: string,
    url: string,
    signature: string,
    params: FormParams,
  ): Promise<Inbox> {
    const { inbox, secrets } = await this.inboxes.forWebhook<{ authToken?: string }>(inboxId, [
      'sms',
      'whatsapp',
    ]);
    const authToken = secrets.authToken;
    const clean = Object.fromEntries(
      Object.entries(params).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined),
    );
    if (!authToken || !verifyTwilioSignature(authToken, signature, url, clean)) {
      throw new WebhookSignatureError('X-Twilio-Signature does not match');
    }
    return inbox;
  }
}

/** SMS and WhatsApp numbers share one phone identity; a WhatsApp id that is not a number stays page-scoped. */
function senderIdentity(from: string): { kind: IdentityKind; value: string } {
  try {
    return { kind: 'phone', value: normalizeIdentity('phone', from) };
  } catch {
    return { kind: 'external', value: from };
  }
}
