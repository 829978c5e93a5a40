import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { parseMetaWebhook, verifyMetaSignature, type MetaEvent } from '@parley/channels';
import { TransactionRunner } from '@parley/database';
import { DeliveryService } from './delivery.service.js';
import { InboundEventRepository } from './inbound-event.repository.js';
import { ContactIdentity, Inbox, type IdentityKind } from './inbox.entities.js';
import { InboxError, WebhookSignatureError } from './inbox.errors.js';
import { InboxesService } from './inboxes.service.js';
import { IngestService } from './ingest.service.js';

interface MetaSecrets extends Record<string, unknown> {
  appSecret?: string;
  verifyToken?: string;
}

export interface MetaBatchResult {
  processed: number;
  ignored: number;
  duplicate: boolean;
}

/** Messenger and Instagram webhooks: subscription handshake, signed event batches, every event kind. */
@Injectable()
export class MetaWebhooksService {
  private readonly logger = new Logger(MetaWebhooksService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly inboxes: InboxesService,
    private readonly ingest: IngestService,
    private readonly delivery: DeliveryService,
    private readonly journal: InboundEventRepository,
  ) {}

  /** The GET handshake: echo `hub.challenge` when the mode and verify token match. */
  async verifySubscription(
    inboxId: string,
    mode: string | undefined,
    token: string | undefined,
    challenge: string | undefined,
  ): Promise<string> {
    const { secrets } = await this.load(inboxId);
    const expected = Buffer.from(secrets.verifyToken ?? '');
    const given = Buffer.from(token ?? '');
    const matches =
      expected.length > 0 && expected.length === given.length && timingSafeEqual(expected, given);
    if (mode !== 'subscribe' || !matches || !challenge)
      throw new WebhookSignatureError('hub.verify_token does not match');
    return challenge;
  }

  /**
   * A signed batch. The signature covers the raw bytes. The batch is journaled whole (a repeat
   * delivery is recognised), then every event is applied; each is idempotent on its own ids.
   */
  async receive(inboxId: string, signature: string, rawBody: Buffer): Promise<MetaBatchResult> {
    const { inbox, secrets } = await this.load(inboxId);
    if (!secrets.appSecret || !verifyMetaSignature(secrets.appSecret, signature, rawBody)) {
      throw new WebhookSignatureError('X-Hub-Signature-256 does not match');
    }
    const body: unknown = JSON.parse(rawBody.toString('utf8'));
    const { events } = parseMetaWebhook(body);
    const batchId = `batch:${createHash('sha256').update(rawBody).digest('hex')}`;
    // A batch that was fully applied before is acknowledged as is; one that failed half-way is
    // applied again (every event is idempotent on its own ids).
    if (await this.journal.wasProcessed(inbox.workspaceId, inbox.id, batchId))
      return { processed: 0, ignored: events.length, duplicate: true };
    const fresh = await this.journal.journal(inbox.workspaceId, inbox.id, 'meta', batchId, body);
    let processed = 0;
    let ignored = 0;
    for (const event of events) {
      if (event.kind !== 'ignored' && 'pageId' in event && event.pageId !== inbox.config.pageId) {
        this.logger.warn(
          `event for page ${event.pageId} on inbox ${inbox.id} (page ${String(inbox.config.pageId)}) ignored`,
        );
        ignored += 1;
        continue;
      }
      try {
        if (await this.apply(inbox, event)) processed += 1;
        else ignored += 1;
      } catch (error) {
        // Bad data in one event must not block the rest; anything else (database down) fails the
        // batch so Meta delivers it again, which is safe because every event is idempotent.
        if (!(error instanceof InboxError)) throw error;
        this.logger.warn(`meta event on inbox ${inbox.id} refused: ${error.message}`);
        ignored += 1;
      }
    }
    await this.journal.markProcessed(inbox.workspaceId, inbox.id, batchId);
    return { processed, ignored, duplicate: !fresh };
  }

  private async apply(inbox: Inbox, event: MetaEvent): Promise<boolean> {
    const kind: IdentityKind = inbox.channel === 'instagram' ? 'igsid' : 'psid';
    const base = { workspaceId: inbox.workspaceId, inboxId: inbox.id };
    switch (event.kind) {
      case 'message':
        await this.ingest.ingest({
          ...base,
          externalId: event.mid,
          identities: [{ kind, value: event.senderId }],
          body: event.text,
          pendingMedia: event.attachments.map((a) => ({ url: a.url, contentType: contentTypeOf(a.type) })),
          profileLookup: true,
          metadata: {
            ...(event.quickReplyPayload ? { quickReply: event.quickReplyPayload } : {}),
            ...(event.replyToMid ? { replyTo: event.replyToMid } : {}),
          },
        });
        return true;
      case 'postback':
        await this.ingest.ingest({
          ...base,
          externalId: event.mid,
          identities: [{ kind, value: event.senderId }],
          body: event.title || event.payload,
          profileLookup: true,
          metadata: { postback: event.payload },
        });
        return true;
      case 'echo':
        // Our own app's echo repeats a message we stored when we sent it.
        if (event.appId && event.appId === inbox.config.appId) return false;
        return (
          await this.ingest.recordExternalOutbound({
            ...base,
            externalId: event.mid,
            recipient: { kind, value: event.recipientId },
            body: event.text,
            metadata: { echoAppId: event.appId },
          })
        ).stored;
      case 'delivery':
      case 'read': {
        const identity = await this.tx.manager.findOne(ContactIdentity, {
          where: { workspaceId: inbox.workspaceId, kind, value: event.senderId, scopeInboxId: inbox.id },
        });
        if (!identity) return false;
        const watermark = event.watermark ? new Date(event.watermark) : null;
        const mids = event.kind === 'delivery' ? event.mids : event.mid ? [event.mid] : [];
        const status = event.kind === 'delivery' ? 'delivered' : 'read';
        return (
          (await this.delivery.applyWatermark(
            inbox.workspaceId,
            inbox.id,
            identity.id,
            status,
            watermark,
            mids,
          )) > 0
        );
      }
      case 'reaction':
        return this.ingest.recordReaction(inbox.workspaceId, inbox.id, {
          mid: event.mid,
          reaction: event.reaction,
          emoji: event.emoji,
          action: event.action,
          contactExternalId: event.senderId,
        });
      case 'ignored':
        return false;
    }
  }

  private load(inboxId: string): Promise<{ inbox: Inbox; secrets: MetaSecrets }> {
    return this.inboxes.forWebhook<MetaSecrets>(inboxId, ['messenger', 'instagram']);
  }
}

function contentTypeOf(type: string): string {
  switch (type) {
    case 'image':
      return 'image/jpeg';
    case 'video':
    case 'reel':
    case 'ig_reel':
      return 'video/mp4';
    case 'audio':
      return 'audio/mpeg';
    default:
      return 'application/octet-stream';
  }
}
