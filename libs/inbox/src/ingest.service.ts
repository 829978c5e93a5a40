import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '@parley/config';
import { GroupCommit, hydrate, insertRow, storable, TransactionRunner } from '@parley/database';
import { OutboxRelay, OutboxRepository } from '@parley/jobs';
import { Metrics } from '@parley/observability';
import type { ConversationView, MessageView } from '@parley/realtime';
import { assignConversationJob } from './assignment.service.js';
import { automationJob } from './automation-jobs.js';
import { ConversationHookRegistry, type InboundClaim } from './conversation-hooks.js';
import { ConversationRepository } from './conversation.repository.js';
import { DirectoryRepository } from './directory.repository.js';
import { Effects, type Actor } from './effects.js';
import { INBOX_SCOPED_KINDS, normalizeIdentity } from './identity.js';
import {
  Contact,
  ContactIdentity,
  Conversation,
  Inbox,
  Message,
  type Attachment,
  type IdentityKind,
} from './inbox.entities.js';
import { InboxError, InboxErrorCode } from './inbox.errors.js';
import { InboxesService } from './inboxes.service.js';
import { toConversationView, toMessageView } from './views.js';

export interface IdentityInput {
  kind: IdentityKind;
  value: string;
}

/** One customer message, normalized by a channel. Every channel ends here. */
export interface InboundMessage {
  workspaceId: string;
  inboxId: string;
  /** The provider's id for the message; a repeat is a no-op. */
  externalId: string;
  /** Our id for the new message, when the caller must know it before the insert (attachment URLs). */
  messageId?: string;
  /** The identity the message came from first; further ones (trusted channels only) attach to a new contact. */
  identities: IdentityInput[];
  contactName?: string | null;
  body: string;
  html?: string | null;
  subject?: string | null;
  attachments?: Attachment[];
  /** Provider media to fetch after commit (with the inbox's credentials) into the attachment store. */
  pendingMedia?: Array<{ url: string; contentType: string }>;
  /** The customer asked to stop (or restart) messages on this identity, e.g. SMS STOP / START. */
  consent?: 'opted_out' | 'opted_in' | null;
  /** Look the sender's name and picture up from the provider (Meta) when the contact has none. */
  profileLookup?: boolean;
  metadata?: Record<string, unknown>;
  /**
   * Email threading: the contact of the conversation this message answers (reply token or
   * In-Reply-To). A sender identity nobody owns yet joins that contact instead of a new one.
   */
  threadContactId?: string | null;
}

/** An automatic message (auto-reply, bounce): stored in its thread, never a customer message. */
export interface AutomaticInbound {
  workspaceId: string;
  inboxId: string;
  externalId: string;
  messageId?: string;
  /** The sender; looked up, never created (automatic mail makes no contacts). */
  sender: IdentityInput;
  /** The conversation the message refers to, when threading found one. */
  conversationId: string | null;
  body: string;
  html?: string | null;
  attachments?: Attachment[];
  metadata: Record<string, unknown>;
}

/** A message the business sent from outside Parley (e.g. Meta Business Suite), seen as an echo. */
export interface ExternalOutbound {
  workspaceId: string;
  inboxId: string;
  externalId: string;
  recipient: IdentityInput;
  body: string;
  metadata?: Record<string, unknown>;
}

/** `claimed`: the message answered something else (a survey) and was stored without threading. */
export type IngestOutcome = 'created' | 'reopened' | 'joined' | 'claimed' | 'duplicate';

export interface IngestResult {
  outcome: IngestOutcome;
  contactId: string;
  message: MessageView;
  conversation: ConversationView;
}

/** What one inbound message became, before its rows are turned into views. */
interface Appended {
  outcome: IngestOutcome;
  contactId: string;
  message: Message;
  conversation: Conversation;
  labels: string[];
}

/** An identity as stored: normalized, and scoped to its inbox for page-scoped kinds. */
interface ScopedIdentity {
  kind: IdentityKind;
  value: string;
  scopeInboxId: string | null;
}

/** A validated message waiting for its group commit. */
interface Pending {
  input: InboundMessage;
  inbox: Inbox;
  identities: ScopedIdentity[];
}

/** What a pending message became in its transaction, with the effects still to be written. */
interface Stored {
  appended: Appended;
  effects: Effects;
}

/** Batches written at once by one api process (each holds a pooled connection while it runs). */
const MAX_CONCURRENT_BATCHES = 4;
const DAY_MS = 24 * 3600 * 1000;
const MAX_BODY = 65_536;

/** An identity as stored: normalized, and scoped to the inbox for page-scoped kinds (PSID, IGSID). */
function scopedIdentity(
  identity: { kind: IdentityKind; value: string },
  inbox: Pick<Inbox, 'id'>,
): ScopedIdentity {
  return {
    kind: identity.kind,
    value: normalizeIdentity(identity.kind, identity.value),
    scopeInboxId: INBOX_SCOPED_KINDS.has(identity.kind) ? inbox.id : null,
  };
}

/** The sender's first identity as one sortable key: the lock order of a batch. */
function identityKey({ input, identities }: Pending): string {
  const first = identities[0];
  return `${input.workspaceId}\u0000${first.kind}\u0000${first.value}\u0000${first.scopeInboxId ?? ''}`;
}

/** A customer message's effect on its conversation: replies go back where it came from, counters move. */
function applyInbound(
  conversation: Conversation,
  inbox: Inbox,
  identity: ContactIdentity,
  subject: string | null | undefined,
  now: Date,
): void {
  conversation.replyInboxId = inbox.id;
  conversation.replyIdentityId = identity.id;
  conversation.lastChannel = inbox.channel;
  conversation.lastMessageAt = now;
  conversation.waitingSince ??= now;
  conversation.messagesCount += 1;
  conversation.customerMessagesCount += 1;
  conversation.subject ??= subject ?? null;
}

/**
 * What an inbound message changes on an existing conversation (status too, for reopen/unsnooze) and
 * its contact's activity, in one statement: the row is locked and read in this transaction, so what
 * changed is written without save()'s re-read.
 */
async function writeInbound(
  manager: EntityManager,
  conversation: Conversation,
  contactId: string,
): Promise<void> {
  await manager.query(
    `WITH activity AS (UPDATE contacts SET last_activity_at = $2, updated_at = now() WHERE id = $3)
     UPDATE conversations SET status = $4, snoozed_until = $5, resolved_at = $6, reopen_count = $7,
            reply_inbox_id = $8, reply_identity_id = $9, last_channel = $10, last_message_at = $2,
            waiting_since = $11, messages_count = $12, customer_messages_count = $13, subject = $14,
            updated_at = now()
      WHERE id = $1`,
    [
      conversation.id,
      conversation.lastMessageAt,
      contactId,
      conversation.status,
      conversation.snoozedUntil,
      conversation.resolvedAt,
      conversation.reopenCount,
      conversation.replyInboxId,
      conversation.replyIdentityId,
      conversation.lastChannel,
      conversation.waitingSince,
      conversation.messagesCount,
      conversation.customerMessagesCount,
      conversation.subject,
    ],
  );
}

@Injectable()
export class IngestService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly conversations: ConversationRepository,
    private readonly directory: DirectoryRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly metrics: Metrics,
    private readonly hooks: ConversationHookRegistry,
    private readonly inboxes: InboxesService,
    config: AppConfig,
  ) {
    this.commits = new GroupCommit<Pending, Appended>({
      maxBatch: config.env.INGEST_BATCH_MAX,
      concurrency: Math.max(
        1,
        Math.min(MAX_CONCURRENT_BATCHES, Math.floor(config.env.DATABASE_POOL_SIZE / 2)),
      ),
      runOne: (pending) => this.write([pending]).then(([one]) => one),
      runBatch: (batch) => this.write(batch),
      onBatchFailed: (error, size) => {
        this.metrics.ingestBatchRetries.inc();
        this.logger.warn(
          `a group commit of ${size} messages rolled back, retrying each alone: ${String(error)}`,
        );
      },
    });
  }

  private readonly logger = new Logger(IngestService.name);
  private readonly commits: GroupCommit<Pending, Appended>;

  /**
   * Identity → contact → the contact's one open conversation (joined, reopened inside the window,
   * or new and linked to the previous) → message, counters, events and outbox: one transaction.
   */
  async ingest(received: InboundMessage): Promise<IngestResult> {
    // Stored as received, save what PostgreSQL cannot hold (NUL, lone surrogates).
    const input = storable(received);
    if (input.body.length > MAX_BODY)
      throw new InboxError(InboxErrorCode.InvalidInput, `body exceeds ${MAX_BODY} characters`);
    if (!input.externalId || input.externalId.length > 255) {
      throw new InboxError(InboxErrorCode.InvalidInput, 'externalId must be 1-255 characters');
    }
    const inbox = await this.inboxes.row(input.workspaceId, input.inboxId);
    if (!inbox.enabled) throw new InboxError(InboxErrorCode.InvalidState, 'Inbox is disabled');
    const identities = input.identities.map((identity) => scopedIdentity(identity, inbox));
    if (identities.length === 0)
      throw new InboxError(InboxErrorCode.InvalidIdentity, 'A message needs a sender identity');

    const stopTimer = this.metrics.ingestDuration.startTimer({ channel: inbox.channel });
    const result = await this.commits.submit({ input, inbox, identities });
    if (result.outcome !== 'duplicate') this.relay.kick();
    stopTimer();
    this.metrics.ingested.inc({ channel: inbox.channel, outcome: result.outcome });
    return {
      outcome: result.outcome,
      contactId: result.contactId,
      message: toMessageView(result.message),
      conversation: toConversationView(result.conversation, result.labels),
    };
  }

  /** Stores messages in one transaction; the batch size is counted once it committed. */
  private async write(batch: Pending[]): Promise<Appended[]> {
    const appended = await this.tx.run((manager) => this.storeAll(manager, batch));
    this.metrics.ingestBatchSize.observe(batch.length);
    return appended;
  }

  /**
   * Stores messages in the caller's transaction, one after another, then writes all their events
   * and outbox rows at once. Contacts are locked in the order of the senders' identities, so two
   * batches holding the same customers lock them in the same order.
   */
  private async storeAll(manager: EntityManager, batch: Pending[]): Promise<Appended[]> {
    const order = batch
      .map((pending, index) => ({ key: identityKey(pending), index }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index));
    const stored: Stored[] = new Array<Stored>(batch.length);
    for (const { index } of order) stored[index] = await this.store(manager, batch[index]);
    await Effects.flushAll(
      manager,
      this.outbox,
      order.map(({ index }) => stored[index].effects),
    );
    return stored.map((one) => one.appended);
  }

  private async store(manager: EntityManager, { input, inbox, identities }: Pending): Promise<Stored> {
    const effects = new Effects(input.workspaceId);
    const { contact, identity, created } = await this.resolveContact(manager, input, identities);
    const duplicate = await this.knownMessage(manager, input.workspaceId, inbox.id, input.externalId);
    if (duplicate) {
      const conversation = await this.conversations.findById(
        input.workspaceId,
        duplicate.conversationId,
        manager,
      );
      if (!conversation) throw InboxError.notFound('Conversation');
      const labels = await this.conversations.labelsOf(input.workspaceId, conversation.id, manager);
      return {
        appended: {
          outcome: 'duplicate',
          contactId: duplicate.contactId,
          message: duplicate,
          conversation,
          labels,
        },
        effects,
      };
    }
    return {
      appended: await this.appendInbound(manager, input, inbox, { contact, created }, identity, effects),
      effects,
    };
  }

  private async appendInbound(
    manager: EntityManager,
    input: InboundMessage,
    inbox: Inbox,
    { contact, created: newContact }: { contact: Contact; created: boolean },
    identity: ContactIdentity,
    effects: Effects,
  ): Promise<Appended> {
    const now = new Date();
    const customer: Actor = { type: 'contact', id: contact.id };
    const channelFacts = { channel: inbox.channel, inboxId: inbox.id };
    const messageId = input.messageId ?? randomUUID();
    input = { ...input, messageId };
    const claim = await this.hooks.claimInbound({
      manager,
      effects,
      workspaceId: input.workspaceId,
      contactId: contact.id,
      inbox,
      identityId: identity.id,
      messageId,
      body: input.body,
      metadata: input.metadata ?? {},
      now,
      newContact,
    });
    if (claim) return this.appendClaimed(manager, input, inbox, contact, identity, claim, effects, now);

    let outcome: IngestOutcome = 'joined';
    // A contact created by this transaction has no conversations yet.
    let conversation = newContact
      ? null
      : await this.conversations.findUnresolvedForContact(manager, input.workspaceId, contact.id);
    if (!conversation) {
      const previous = newContact
        ? null
        : await this.conversations.findLatestForContact(manager, input.workspaceId, contact.id);
      const reopen =
        previous?.resolvedAt &&
        now.getTime() - previous.resolvedAt.getTime() <=
          (await this.directory.reopenWindowDays(input.workspaceId, manager)) * DAY_MS;
      if (previous && reopen) {
        outcome = 'reopened';
        conversation = previous;
        conversation.status = 'open';
        conversation.reopenCount += 1;
        conversation.resolvedAt = null;
        effects.event(conversation, 'reopened', customer, {
          ...channelFacts,
          data: { reason: 'customer_message' },
        });
        await this.hooks.reopened({ manager, conversation, actor: customer, effects });
      } else {
        outcome = 'created';
        conversation = manager.create(Conversation, {
          id: randomUUID(),
          workspaceId: input.workspaceId,
          contactId: contact.id,
          status: 'open',
          teamId: inbox.teamId,
          priority: 0,
          subject: input.subject ?? null,
          openedAt: now,
          lastMessageAt: now,
          previousId: previous?.id ?? null,
          messagesCount: 0,
          customerMessagesCount: 0,
          agentRepliesCount: 0,
          reopenCount: 0,
        });
        applyInbound(conversation, inbox, identity, input.subject, now);
        conversation = await insertRow(manager, Conversation, conversation);
        effects.event(conversation, 'opened', customer, {
          ...channelFacts,
          data: { previousId: previous?.id ?? null },
        });
      }
    } else if (conversation.status === 'snoozed' || conversation.status === 'pending') {
      effects.event(
        conversation,
        conversation.status === 'snoozed' ? 'unsnoozed' : 'status_changed',
        customer,
        {
          ...channelFacts,
          data: { from: conversation.status, to: 'open', reason: 'customer_message' },
        },
      );
      conversation.status = 'open';
      conversation.snoozedUntil = null;
    }

    const message = await this.insertInbound(manager, input, inbox, contact, identity, conversation.id, now);
    if (outcome !== 'created') {
      applyInbound(conversation, inbox, identity, input.subject, now);
      await writeInbound(manager, conversation, contact.id);
    } else if (!newContact) {
      // A known contact's new conversation (a new contact was inserted with its activity just now).
      await manager.update(Contact, { id: contact.id }, { lastActivityAt: now });
    }

    effects.event(conversation, 'customer_message', customer, {
      ...channelFacts,
      messageId: message.id,
      occurredAt: now,
    });
    const labels =
      outcome === 'created'
        ? []
        : await this.conversations.labelsOf(input.workspaceId, conversation.id, manager);
    effects.conversationUpdated(toConversationView(conversation, labels), outcome === 'created');
    effects.messageCreated(toMessageView(message));
    if (input.pendingMedia?.length) {
      effects.job({
        name: 'media.fetch',
        data: { workspaceId: input.workspaceId, messageId: message.id },
        jobId: `media-${message.id}`,
      });
    }
    // Rules see the customer's message (and a new conversation) after this commits.
    if (outcome === 'created')
      effects.job(automationJob(input.workspaceId, 'conversation.created', conversation.id, null, []));
    effects.job(automationJob(input.workspaceId, 'message.created', conversation.id, message.id, []));
    // A new conversation is offered to auto-assignment after its `conversation.created` rules ran
    // (AutomationService), so a rule that moves it to a team routes it by that team's policy.
    if (outcome === 'reopened' && !conversation.assigneeId) {
      effects.job(assignConversationJob(input.workspaceId, conversation.id));
    }
    if (input.profileLookup && !contact.name) {
      effects.job({
        name: 'media.profile',
        data: { workspaceId: input.workspaceId, contactId: contact.id, identityId: identity.id },
        jobId: `profile-${contact.id}`,
      });
    }
    const optedOut = identity.optedOutChannels.includes(inbox.channel);
    if (input.consent && optedOut !== (input.consent === 'opted_out')) {
      const channels = identity.optedOutChannels.filter((channel) => channel !== inbox.channel);
      if (input.consent === 'opted_out') channels.push(inbox.channel);
      await manager.update(ContactIdentity, { id: identity.id }, { optedOutChannels: channels });
      effects.event(conversation, 'consent_changed', customer, {
        ...channelFacts,
        data: { identityId: identity.id, optedOut: input.consent === 'opted_out' },
      });
    }
    return { outcome, contactId: contact.id, message, conversation, labels };
  }

  /**
   * A message another lib claimed (a survey answer): kept in the timeline of the conversation it
   * answers, without reopening it, moving its clocks or counting as a customer message.
   */
  private async appendClaimed(
    manager: EntityManager,
    input: InboundMessage,
    inbox: Inbox,
    contact: Contact,
    identity: ContactIdentity,
    claim: InboundClaim,
    effects: Effects,
    now: Date,
  ): Promise<Appended> {
    const message = await this.insertInbound(
      manager,
      { ...input, metadata: { ...input.metadata, ...claim.metadata } },
      inbox,
      contact,
      identity,
      claim.conversationId,
      now,
      'survey',
    );
    const conversation = await this.conversations.findById(input.workspaceId, claim.conversationId, manager);
    if (!conversation) throw InboxError.notFound('Conversation');
    conversation.messagesCount += 1;
    await manager.update(
      Conversation,
      { id: conversation.id },
      { messagesCount: conversation.messagesCount },
    );
    effects.messageCreated(toMessageView(message));
    const labels = await this.conversations.labelsOf(input.workspaceId, conversation.id, manager);
    return { outcome: 'claimed', contactId: contact.id, message, conversation, labels };
  }

  private insertInbound(
    manager: EntityManager,
    input: InboundMessage,
    inbox: Inbox,
    contact: Contact,
    identity: ContactIdentity,
    conversationId: string,
    now: Date,
    kind: Message['kind'] = 'text',
  ): Promise<Message> {
    return insertRow(
      manager,
      Message,
      manager.create(Message, {
        ...(input.messageId ? { id: input.messageId } : {}),
        workspaceId: input.workspaceId,
        conversationId,
        contactId: contact.id,
        inboxId: inbox.id,
        identityId: identity.id,
        channel: inbox.channel,
        direction: 'in',
        senderType: 'contact',
        authorId: null,
        kind,
        body: input.body,
        html: input.html ?? null,
        attachments: input.attachments ?? [],
        externalId: input.externalId,
        status: 'received',
        metadata: {
          ...input.metadata,
          ...(input.pendingMedia?.length ? { pendingMedia: input.pendingMedia } : {}),
        },
        createdAt: now,
      }),
    );
  }

  /**
   * Stores a message the business sent outside Parley as an agent reply in the customer's thread:
   * the open conversation, else the latest one, else a new one. A repeated id is a no-op.
   */
  async recordExternalOutbound(input: ExternalOutbound): Promise<{ stored: boolean }> {
    const inbox = await this.inboxes.row(input.workspaceId, input.inboxId);
    const recipient = scopedIdentity(input.recipient, inbox);
    const stored = await this.tx.run(async (manager) => {
      const { contact, identity } = await this.resolveContact(manager, { workspaceId: input.workspaceId }, [
        recipient,
      ]);
      const exists = await manager.exists(Message, {
        where: { workspaceId: input.workspaceId, inboxId: inbox.id, externalId: input.externalId },
      });
      if (exists) return false;
      const now = new Date();
      const effects = new Effects(input.workspaceId);
      let conversation =
        (await this.conversations.findUnresolvedForContact(manager, input.workspaceId, contact.id)) ??
        (await manager.findOne(Conversation, {
          where: { workspaceId: input.workspaceId, contactId: contact.id },
          order: { openedAt: 'DESC' },
          lock: { mode: 'pessimistic_write' },
        }));
      const created = !conversation;
      conversation ??= await manager.save(
        manager.create(Conversation, {
          workspaceId: input.workspaceId,
          contactId: contact.id,
          status: 'open',
          teamId: inbox.teamId,
          priority: 0,
          openedAt: now,
          lastMessageAt: now,
          messagesCount: 0,
          customerMessagesCount: 0,
          agentRepliesCount: 0,
          reopenCount: 0,
        }),
      );
      const message = await manager.save(
        manager.create(Message, {
          workspaceId: input.workspaceId,
          conversationId: conversation.id,
          contactId: contact.id,
          inboxId: inbox.id,
          identityId: identity.id,
          channel: inbox.channel,
          direction: 'out',
          senderType: 'agent',
          authorId: null,
          kind: 'text',
          body: input.body,
          externalId: input.externalId,
          status: 'sent',
          sentAt: now,
          metadata: { ...input.metadata, sentOutsideParley: true },
          createdAt: now,
        }),
      );
      const agent: Actor = { type: 'agent', id: null };
      const facts = { channel: inbox.channel, inboxId: inbox.id, messageId: message.id, occurredAt: now };
      effects.event(conversation, 'agent_reply', agent, { ...facts, data: { external: true } });
      if (!conversation.firstResponseAt && conversation.customerMessagesCount > 0) {
        conversation.firstResponseAt = now;
        effects.event(conversation, 'first_response', agent, { ...facts, data: { external: true } });
      }
      conversation.agentRepliesCount += 1;
      conversation.messagesCount += 1;
      conversation.waitingSince = null;
      conversation.lastMessageAt = now;
      const saved = await manager.save(conversation);
      effects.conversationUpdated(
        toConversationView(saved, await this.conversations.labelsOf(input.workspaceId, saved.id, manager)),
        created,
      );
      effects.messageCreated(toMessageView(message));
      await effects.flush(manager, this.outbox);
      return true;
    });
    if (stored) this.relay.kick();
    return { stored };
  }

  /**
   * Stores an automatic message (auto-reply, bounce) in the conversation it refers to, else the
   * sender's current or latest one, as a `system` message: no status change, no reopen, no
   * waiting time, counters, events, automation or assignment. Without such a conversation it is
   * not stored (`unthreaded`).
   */
  async recordAutomatic(
    input: AutomaticInbound,
  ): Promise<{ outcome: 'stored' | 'duplicate' | 'unthreaded'; message: MessageView | null }> {
    const inbox = await this.inboxes.row(input.workspaceId, input.inboxId);
    const sender = scopedIdentity(input.sender, inbox);
    const result = await this.tx.run(async (manager) => {
      const duplicate = await this.knownMessage(manager, input.workspaceId, inbox.id, input.externalId);
      if (duplicate) return { outcome: 'duplicate' as const, message: duplicate };
      const identity = await this.findIdentity(manager, input.workspaceId, sender);
      let conversation = input.conversationId
        ? await this.conversations.lockById(manager, input.workspaceId, input.conversationId)
        : null;
      for (let hop = 0; conversation?.mergedIntoId && hop < 5; hop += 1)
        conversation = await this.conversations.lockById(
          manager,
          input.workspaceId,
          conversation.mergedIntoId,
        );
      if (!conversation && identity) {
        conversation =
          (await this.conversations.findUnresolvedForContact(
            manager,
            input.workspaceId,
            identity.contactId,
          )) ??
          (await this.conversations.findLatestForContact(manager, input.workspaceId, identity.contactId));
      }
      if (!conversation) return { outcome: 'unthreaded' as const, message: null };
      const message = await manager.save(
        manager.create(Message, {
          ...(input.messageId ? { id: input.messageId } : {}),
          workspaceId: input.workspaceId,
          conversationId: conversation.id,
          contactId: conversation.contactId,
          inboxId: inbox.id,
          identityId: identity?.contactId === conversation.contactId ? identity.id : null,
          channel: inbox.channel,
          direction: 'in',
          senderType: 'system',
          authorId: null,
          kind: 'text',
          body: input.body.slice(0, MAX_BODY),
          html: input.html ?? null,
          attachments: input.attachments ?? [],
          externalId: input.externalId,
          status: 'received',
          metadata: input.metadata,
          createdAt: new Date(),
        }),
      );
      conversation.messagesCount += 1;
      const saved = await manager.save(conversation);
      await new Effects(input.workspaceId)
        .conversationUpdated(
          toConversationView(saved, await this.conversations.labelsOf(input.workspaceId, saved.id, manager)),
        )
        .messageCreated(toMessageView(message))
        .flush(manager, this.outbox);
      return { outcome: 'stored' as const, message };
    });
    if (result.outcome === 'stored') this.relay.kick();
    this.metrics.ingested.inc({ channel: inbox.channel, outcome: `automatic_${result.outcome}` });
    return { outcome: result.outcome, message: result.message ? toMessageView(result.message) : null };
  }

  /** A customer's reaction to a message, kept in the event log of that message's conversation. */
  async recordReaction(
    workspaceId: string,
    inboxId: string,
    input: {
      mid: string;
      reaction: string;
      emoji: string;
      action: 'react' | 'unreact';
      contactExternalId: string;
    },
  ): Promise<boolean> {
    const message = await this.tx.manager.findOne(Message, {
      where: { workspaceId, inboxId, externalId: input.mid },
    });
    if (!message) return false;
    await this.tx.run(async (manager) => {
      await new Effects(workspaceId)
        .event(
          { id: message.conversationId },
          'reaction',
          { type: 'contact', id: message.contactId },
          {
            inboxId,
            channel: message.channel,
            messageId: message.id,
            data: { reaction: input.reaction, emoji: input.emoji, action: input.action },
          },
        )
        .flush(manager, this.outbox);
    });
    return true;
  }

  /**
   * Finds the contact owning the first known identity, or creates one. The contact row is locked,
   * which serializes everything that happens to one customer's thread.
   */
  private async resolveContact(
    manager: EntityManager,
    input: Pick<InboundMessage, 'workspaceId' | 'contactName' | 'threadContactId'>,
    identities: ScopedIdentity[],
  ): Promise<{ contact: Contact; identity: ContactIdentity; created: boolean }> {
    const workspaceId = input.workspaceId;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      let contact: Contact | null = null;
      // Which identities someone owns already. A lone identity (nearly every message) is looked up and
      // its contact locked in one statement; several are looked up one after another (one connection).
      let known: boolean[];
      if (identities.length === 1) {
        contact = await this.lockOwner(manager, workspaceId, identities[0]);
        known = [contact !== null];
      } else {
        const found: Array<ContactIdentity | null> = [];
        for (const identity of identities)
          found.push(await this.findIdentity(manager, workspaceId, identity));
        known = found.map((identity) => identity !== null);
        const ownerId = found.find((identity) => identity)?.contactId;
        if (ownerId && !(contact = await this.lockContact(manager, workspaceId, ownerId))) continue;
      }
      if (!contact && input.threadContactId) {
        const ownerId = await this.liveContactId(manager, workspaceId, input.threadContactId);
        if (ownerId && !(contact = await this.lockContact(manager, workspaceId, ownerId))) continue;
      }
      // A contact inserted by this transaction is invisible to every other one until commit: no lock needed.
      let created = false;
      if (!contact) {
        const byKind = (kind: IdentityKind) =>
          identities.find((identity) => identity.kind === kind)?.value ?? null;
        contact = await manager.save(Contact, {
          workspaceId,
          name: input.contactName?.trim() || null,
          email: byKind('email'),
          phone: byKind('phone'),
          attributes: {},
          consent: {},
          lastActivityAt: new Date(),
        });
        created = true;
      }
      // Attach identities nobody owns yet; a concurrent writer may win a race for one, which is fine.
      let inserted: ContactIdentity | null = null;
      for (const [index, identity] of identities.entries()) {
        if (known[index]) continue;
        const values = {
          workspaceId,
          contactId: contact.id,
          ...identity,
          verified: false,
          optedOutChannels: [],
          lastSeenAt: new Date(),
        };
        const result = await manager
          .createQueryBuilder()
          .insert()
          .into(ContactIdentity)
          .values(values)
          .orIgnore()
          .returning('id')
          .execute();
        const id = (result.raw as Array<{ id: string }>)[0]?.id;
        // Ours: the primary identity needs no second look-up nor a `last_seen_at` stamp.
        if (index === 0 && id) inserted = manager.create(ContactIdentity, { ...values, id });
      }
      const primary = known[0]
        ? await this.touchIdentity(manager, workspaceId, identities[0], contact.id)
        : (inserted ?? (await this.findIdentity(manager, workspaceId, identities[0])));
      if (primary?.contactId !== contact.id) {
        // Lost a race (a concurrent first message, or a merge moved the identity): drop our new contact, retry.
        if (created) {
          await manager.delete(ContactIdentity, { workspaceId, contactId: contact.id });
          await manager.delete(Contact, { workspaceId, id: contact.id });
        }
        continue;
      }
      if (!contact.name && input.contactName?.trim()) {
        contact.name = input.contactName.trim();
        await manager.update(Contact, { id: contact.id }, { name: contact.name });
      }
      if (!known[0] && !inserted)
        await manager.update(ContactIdentity, { id: primary.id }, { lastSeenAt: new Date() });
      return { contact, identity: primary, created };
    }
    throw new InboxError(InboxErrorCode.Conflict, 'The sender identity changed hands concurrently; retry');
  }

  /** The contact owning this identity, locked; null when nobody owns it. */
  private async lockOwner(
    manager: EntityManager,
    workspaceId: string,
    identity: ScopedIdentity,
  ): Promise<Contact | null> {
    const key = identityKeyWhere('i', identity);
    const rows = await manager.query<Array<Record<string, unknown>>>(
      `SELECT c.* FROM contacts c
        WHERE c.workspace_id = $1
          AND c.id = (SELECT i.contact_id FROM contact_identities i WHERE i.workspace_id = $1 AND ${key.sql})
        FOR UPDATE`,
      [workspaceId, ...key.params],
    );
    return rows[0] ? hydrate(manager, Contact, rows[0]) : null;
  }

  /** The message this inbox already has under that provider id (a redelivery), if any. */
  private async knownMessage(
    manager: EntityManager,
    workspaceId: string,
    inboxId: string,
    externalId: string,
  ): Promise<Message | null> {
    const rows = await manager.query<Array<Record<string, unknown>>>(
      `SELECT * FROM messages WHERE workspace_id = $1 AND inbox_id = $2 AND external_id = $3`,
      [workspaceId, inboxId, externalId],
    );
    return rows[0] ? hydrate(manager, Message, rows[0]) : null;
  }

  private lockContact(manager: EntityManager, workspaceId: string, id: string): Promise<Contact | null> {
    return manager.findOne(Contact, { where: { workspaceId, id }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * Stamps `last_seen_at` on an identity found before the contact was locked, if it still belongs
   * to that contact (a merge may have moved it meanwhile): the re-check and the write in one
   * statement. Returns the identity as it is now, or null when it moved.
   */
  private async touchIdentity(
    manager: EntityManager,
    workspaceId: string,
    identity: ScopedIdentity,
    contactId: string,
  ): Promise<ContactIdentity | null> {
    const key = identityKeyWhere('i', identity);
    const [rows]: [Array<Record<string, unknown>>, number] = await manager.query(
      `UPDATE contact_identities i SET last_seen_at = now()
        WHERE i.workspace_id = $1 AND ${key.sql} AND i.contact_id = $${key.params.length + 2}
        RETURNING i.*`,
      [workspaceId, ...key.params, contactId],
    );
    return rows[0] ? hydrate(manager, ContactIdentity, rows[0]) : null;
  }

  /** The contact a threaded reply belongs to, following merges; null if it is gone. */
  private async liveContactId(
    manager: EntityManager,
    workspaceId: string,
    contactId: string,
  ): Promise<string | null> {
    let id: string | null = contactId;
    for (let hop = 0; id && hop < 5; hop += 1) {
      const contact: Contact | null = await manager.findOne(Contact, { where: { workspaceId, id } });
      if (!contact) return null;
      if (!contact.mergedIntoId) return contact.id;
      id = contact.mergedIntoId;
    }
    return null;
  }

  private async findIdentity(
    manager: EntityManager,
    workspaceId: string,
    identity: ScopedIdentity,
  ): Promise<ContactIdentity | null> {
    const key = identityKeyWhere('i', identity);
    const rows = await manager.query<Array<Record<string, unknown>>>(
      `SELECT i.* FROM contact_identities i WHERE i.workspace_id = $1 AND ${key.sql}`,
      [workspaceId, ...key.params],
    );
    return rows[0] ? hydrate(manager, ContactIdentity, rows[0]) : null;
  }
}

/**
 * An identity's unique key (kind, value, scope) over `alias`, with its parameters numbered from $2:
 * callers put the workspace in $1 and their own parameters after these.
 */
function identityKeyWhere(alias: string, identity: ScopedIdentity): { sql: string; params: unknown[] } {
  const sql = `${alias}.kind = $2 AND ${alias}.value = $3 AND ${alias}.scope_inbox_id `;
  return identity.scopeInboxId
    ? { sql: `${sql}= $4`, params: [identity.kind, identity.value, identity.scopeInboxId] }
    : { sql: `${sql}IS NULL`, params: [identity.kind, identity.value] };
}
