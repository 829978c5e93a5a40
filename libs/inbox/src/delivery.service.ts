import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ChannelSenders, ChannelSendError, type SendResult } from '@parley/channels';
import { SecretCipher, TransactionRunner } from '@parley/database';
import { OutboxRelay, OutboxRepository } from '@parley/jobs';
import type { DeliveryStatus } from '@parley/realtime';
import { canAdvance } from './delivery-status.js';
import { DirectoryRepository } from './directory.repository.js';
import { Effects } from './effects.js';
import { ContactIdentity, Inbox, Message } from './inbox.entities.js';
import { toMessageView } from './views.js';

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
  ) {}

  /**
   * Sends one queued message through its channel. Safe to run twice: only a `queued` message is
   * sent. Retryable failures throw RetryDelivery until the last attempt, which marks it failed.
   */
  async deliver(workspaceId: string, messageId: string, lastAttempt: boolean): Promise<DeliveryOutcome> {
    const message = await this.tx.manager.findOne(Message, { where: { workspaceId, id: messageId } });
    if (message?.status !== 'queued' || message.direction !== 'out' || !message.inboxId) return 'skipped';
    const inbox = await this.tx.manager.findOne(Inbox, {
      where: { workspaceId, id: message.inboxId },
      select: {
        id: true,
        channel: true,
        config: true,
        secrets: true,
        enabled: true,
        name: true,
        workspaceId: true,
      },
    });
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
      });
      result = sent;
    } catch (error) {
      const failure =
        error instanceof ChannelSendError
          ? error
          : new ChannelSendError((error as Error).message, 'internal', true);
      if (failure.retryable && !lastAttempt) {
        await this.tx.manager.update(
          Message,
          { id: message.id, status: 'queued' },
          { attempts: () => 'attempts + 1', errorCode: failure.code, errorMessage: failure.message },
        );
        throw new RetryDelivery(failure.message);
      }
      this.logger.warn(`delivery of ${message.id} failed for good: ${failure.code} ${failure.message}`);
      if (failure.code === 'opted_out') {
        // The provider knows better than we did: remember it, so the composer says so next time.
        await this.tx.manager.update(ContactIdentity, { id: identity.id }, { optedOut: true });
      }
      await this.finish(message, 'failed', { code: failure.code, message: failure.message });
      return 'failed';
    }
    // Outside the try: a database failure here is not a send failure. If it throws, the job is
    // retried and the receiver may see the message twice; it dedupes on X-Parley-Delivery.
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
      const saved = await manager.save(locked);
      const effects = new Effects(saved.workspaceId).messageUpdated(toMessageView(saved));
      await effects.flush(manager, this.outbox);
      return true;
    });
    if (moved) this.relay.kick();
    return moved;
  }
}
