import { Injectable, Logger } from '@nestjs/common';
import { In, LessThanOrEqual, type EntityManager } from 'typeorm';
import { ChannelSenders, ChannelSendError, type QuickReply, type SendResult } from '@parley/channels';
import { SecretCipher, TrackedRow, TransactionRunner } from '@parley/database';
import { JobQueues, OutboxRelay, OutboxRepository } from '@parley/jobs';
import { Metrics } from '@parley/observability';
import type { Channel, DeliveryStatus } from '@parley/realtime';
import { canAdvance } from './delivery-status.js';
import { DirectoryRepository } from './directory.repository.js';
import { Effects } from './effects.js';
import { EmailThreads } from './email-threads.js';
import { ContactIdentity, Conversation, Inbox, Message, type ChannelHealth } from './inbox.entities.js';
import { InboxesService } from './inboxes.service.js';
import { toMessageView } from './views.js';
import { isSurveyPayload } from './webchat-config.js';

export type DeliveryOutcome = 'sent' | 'skipped' | 'failed' | 'retry';

function isTemplate(value: unknown): value is { contentSid: string; variables: Record<string, string> } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { contentSid?: unknown }).contentSid === 'string'
  );
}

/** Thrown to make the queue retry a delivery later (with backoff). */
export class RetryDelivery extends Error {}

@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly senders: ChannelSenders,
    private readonly cipher: SecretCipher,
    private readonly directory: DirectoryRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly queues: JobQueues,
    private readonly metrics: Metrics,
    private readonly emailThreads: EmailThreads,
    private readonly inboxes: InboxesService,
  ) {}

  /**
   * Sends one queued message through its channel. Safe to run twice: only a `queued` message is
   * sent. Retryable failures throw RetryDelivery until the last attempt, which marks it failed.
   */
  async deliver(workspaceId: string, messageId: string, lastAttempt: boolean): Promise<DeliveryOutcome> {
    const message = await this.tx.manager.findOne(Message, { where: { workspaceId, id: messageId } });
    if (message?.status !== 'queued' || message.direction !== 'out' || !message.inboxId) return 'skipped';
    const inbox = await this.inboxes.find(workspaceId, message.inboxId);
    const identity = message.identityId
      ? await this.tx.manager.findOne(ContactIdentity, { where: { workspaceId, id: message.identityId } })
      : null;
    if (!inbox || !identity) {
      await this.finish(message, 'failed', {
        code: 'unreachable',
        message: 'The inbox or the customer identity no longer exists',
      });
      return 'failed';
    }
    let result: SendResult;
    try {
      const sent = await this.senders.for(inbox.channel).send({
        channel: inbox.channel,
        inboxId: inbox.id,
        config: inbox.config,
        secrets: this.cipher.decryptJson(inbox.secrets),
        messageId: message.id,
        conversationId: message.conversationId,
        contactId: message.contactId,
        to: { kind: identity.kind, value: identity.value },
        body: message.body,
        attachments: message.attachments,
        author: {
          id: message.authorId,
          name: message.authorId ? await this.directory.userName(message.authorId) : null,
          type: message.senderType === 'agent' ? 'agent' : message.senderType === 'bot' ? 'bot' : 'system',
        },
        createdAt: message.createdAt.toISOString(),
        ...(isTemplate(message.metadata.template) ? { template: message.metadata.template } : {}),
        ...(message.metadata.messageTag === 'HUMAN_AGENT' ? { messageTag: 'HUMAN_AGENT' as const } : {}),
        ...(isQuickReplies(message.metadata.quickReplies)
          ? { quickReplies: message.metadata.quickReplies }
          : {}),
        ...(inbox.channel === 'email'
          ? { email: await this.emailThreads.outboundContext(message, inbox) }
          : {}),
        ...(message.kind === 'survey' && isSurveyPayload(message.metadata.survey)
          ? { survey: message.metadata.survey }
          : {}),
      });
      result = sent;
    } catch (error) {
      const failure =
        error instanceof ChannelSendError
          ? error
          : new ChannelSendError((error as Error).message, 'internal', true);
      if (failure.retryable && !lastAttempt) {
        this.metrics.deliveries.inc({ channel: inbox.channel, result: 'retry' });
        await this.noteRetry(message.id, failure);
        throw new RetryDelivery(failure.message);
      }
      this.logger.warn(`delivery of ${message.id} failed for good: ${failure.code} ${failure.message}`);
      this.metrics.deliveries.inc({ channel: inbox.channel, result: 'failed' });
      if (failure.code === 'reauthorization_required') {
        const health: ChannelHealth = {
          status: 'reauthorization_required',
          error: failure.message,
          since: new Date().toISOString(),
        };
        await this.inboxes.markHealth(inbox.workspaceId, inbox.id, health);
      }
      if (failure.code === 'opted_out') {
        // The provider knows better than we did: remember it, so the composer says so next time.
        await this.optOut(identity.id, inbox.channel);
      }
      await this.finish(message, 'failed', { code: failure.code, message: failure.message });
      return 'failed';
    }
    // Outside the try: a database failure here is not a send failure. If it throws, the job is
    // retried and the receiver may see the message twice; it dedupes on X-Parley-Delivery.
    this.metrics.deliveries.inc({ channel: inbox.channel, result: 'sent' });
    await this.finish(message, result.status, null, result.providerId);
    return 'sent';
  }

  /** Applies a provider status (from a send or a callback), forward only. Returns whether it moved. */
  async applyStatus(
    workspaceId: string,
    messageId: string,
    status: DeliveryStatus,
    error: { code: string; message: string } | null = null,
    providerId?: string,
  ): Promise<boolean> {
    const message = await this.tx.manager.findOne(Message, { where: { workspaceId, id: messageId } });
    if (!message) return false;
    return this.finish(message, status, error, message.externalId ? undefined : providerId);
  }

  /** A failed attempt that will be retried: count it, keep the reason, and show it live. */
  private async noteRetry(messageId: string, failure: ChannelSendError): Promise<void> {
    await this.tx.run(async (manager) => {
      const locked = await manager.findOne(Message, {
        where: { id: messageId },
        lock: { mode: 'pessimistic_write' },
      });
      if (locked?.status !== 'queued') return;
      const row = new TrackedRow(manager, Message, locked);
      locked.attempts += 1;
      locked.errorCode = failure.code;
      locked.errorMessage = `${failure.message} (retrying)`;
      await row.write();
      await new Effects(locked.workspaceId).messageUpdated(toMessageView(locked)).flush(manager, this.outbox);
    });
    this.relay.kick();
  }

  /** Records that the customer cannot be messaged on this channel any more (idempotent). */
  async optOut(identityId: string, channel: Channel): Promise<void> {
    await this.tx.manager.query(
      `UPDATE contact_identities SET opted_out_channels = array_append(opted_out_channels, $2)
        WHERE id = $1 AND NOT ($2 = ANY(opted_out_channels))`,
      [identityId, channel],
    );
  }

  /**
   * A delivery or read watermark (Meta): every earlier message we sent to this identity on this
   * inbox moves forward to `status`, never back. Named mids move too, whatever their time.
   */
  async applyWatermark(
    workspaceId: string,
    inboxId: string,
    identityId: string,
    status: 'delivered' | 'read',
    watermark: Date | null,
    mids: string[] = [],
  ): Promise<number> {
    const candidates = await this.tx.manager.find(Message, {
      where: [
        ...(watermark
          ? [
              {
                workspaceId,
                inboxId,
                identityId,
                direction: 'out' as const,
                status: In(['sending', 'sent', 'delivered']),
                createdAt: LessThanOrEqual(watermark),
              },
            ]
          : []),
        ...(mids.length ? [{ workspaceId, inboxId, externalId: In(mids), direction: 'out' as const }] : []),
      ],
      take: 500,
      order: { createdAt: 'ASC' },
    });
    let moved = 0;
    for (const message of candidates) if (await this.finish(message, status, null)) moved += 1;
    return moved;
  }

  /**
   * Queues a typing indicator for the customer's channel. Ephemeral, so no outbox row: at most
   * one job per conversation per 3-second window, and losing one costs nothing.
   */
  async mirrorTyping(workspaceId: string, conversationId: string, on: boolean): Promise<void> {
    const bucket = Math.floor(Date.now() / 3000);
    await this.queues
      .add({
        name: 'delivery.typing',
        data: { workspaceId, conversationId, on },
        jobId: `typing-${conversationId}-${on ? 1 : 0}-${bucket}`,
      })
      .catch(() => undefined);
  }

  /** Mirrors an agent's typing to the customer's channel, when it shows typing (best effort). */
  async sendTyping(workspaceId: string, conversationId: string, on: boolean): Promise<void> {
    const conversation = await this.tx.manager.findOne(Conversation, {
      where: { workspaceId, id: conversationId },
    });
    if (!conversation?.replyInboxId || !conversation.replyIdentityId) return;
    const inbox = await this.tx.manager.findOne(Inbox, {
      where: { workspaceId, id: conversation.replyInboxId },
      select: { id: true, channel: true, config: true, secrets: true },
    });
    const identity = await this.tx.manager.findOne(ContactIdentity, {
      where: { workspaceId, id: conversation.replyIdentityId },
    });
    if (
      !inbox ||
      !identity ||
      identity.optedOutChannels.includes(inbox.channel) ||
      !this.senders.supports(inbox.channel)
    )
      return;
    const sender = this.senders.for(inbox.channel);
    await sender.typing?.({
      inboxId: inbox.id,
      config: inbox.config,
      secrets: this.cipher.decryptJson(inbox.secrets),
      to: { kind: identity.kind, value: identity.value },
      on,
    });
  }

  /** A provider may reuse ids; the unique (inbox, external id) key must not turn a sent message into an error. */
  private providerIdTaken(manager: EntityManager, message: Message, providerId: string): Promise<boolean> {
    return manager.exists(Message, {
      where: {
        workspaceId: message.workspaceId,
        inboxId: message.inboxId ?? undefined,
        externalId: providerId,
      },
    });
  }

  private async finish(
    message: Message,
    status: DeliveryStatus,
    error: { code: string; message: string } | null,
    providerId?: string,
  ): Promise<boolean> {
    const moved = await this.tx.run(async (manager) => {
      const locked = await manager.findOne(Message, {
        where: { id: message.id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!locked || !canAdvance(locked.status, status)) return false;
      const row = new TrackedRow(manager, Message, locked);
      const now = new Date();
      locked.status = status;
      locked.attempts += 1;
      if (providerId && !(await this.providerIdTaken(manager, locked, providerId)))
        locked.externalId = providerId;
      if (providerId) locked.metadata = { ...locked.metadata, providerId };
      if (status === 'sent' || status === 'delivered' || status === 'read') locked.sentAt ??= now;
      if (status === 'delivered') locked.deliveredAt ??= now;
      if (status === 'read') locked.readAt ??= now;
      locked.errorCode = error?.code ?? (status === 'failed' ? locked.errorCode : null);
      locked.errorMessage = error?.message ?? (status === 'failed' ? locked.errorMessage : null);
      await row.write();
      const effects = new Effects(locked.workspaceId).messageUpdated(toMessageView(locked));
      await effects.flush(manager, this.outbox);
      return true;
    });
    if (moved) this.relay.kick();
    return moved;
  }
}

function isQuickReplies(value: unknown): value is QuickReply[] {
  return (
    Array.isArray(value) &&
    value.every(
      (item: unknown) =>
        typeof item === 'object' &&
        item !== null &&
        typeof (item as QuickReply).title === 'string' &&
        typeof (item as QuickReply).payload === 'string',
    )
  );
}
