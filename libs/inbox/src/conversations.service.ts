import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { isUniqueViolation, type Page, TrackedRow, TransactionRunner } from '@parley/database';
import { OutboxRelay, OutboxRepository } from '@parley/jobs';
import {
  rooms,
  type AgentServerEvents,
  type ConversationView,
  type MessageView,
  type Priority,
} from '@parley/realtime';
import {
  ConversationRepository,
  type ConversationFilter,
  type ConversationListRow,
} from './conversation.repository.js';
import { assignConversationJob, sweepJob } from './assignment.service.js';
import { automationJob } from './automation-jobs.js';
import { ConversationHookRegistry } from './conversation-hooks.js';
import { DirectoryRepository } from './directory.repository.js';
import { actorMetadata, Effects, SYSTEM, userIdOf, type Actor } from './effects.js';
import {
  Conversation,
  ConversationEvent,
  ConversationLabel,
  Label,
  Message,
  type Attachment,
} from './inbox.entities.js';
import { InboxError, InboxErrorCode } from './inbox.errors.js';
import { priorityName, priorityRank } from './priority.js';
import { ReplyRouter, type ReplyOption } from './reply-router.js';
import { toConversationView, toMessageView } from './views.js';
const MAX_SNOOZE_MS = 365 * 24 * 3600 * 1000;

export interface ReplyInput {
  body?: string;
  inboxId?: string;
  attachments?: Attachment[];
  /** WhatsApp template (required outside the 24-hour window): Content SID and its variables. */
  template?: { contentSid: string; variables?: Record<string, string> };
  /** Kept with the message (automation marks its acknowledgements); not accepted from the API. */
  metadata?: Record<string, unknown>;
}

/** A message written by Parley itself (a survey question, an alert note), not by a person. */
export interface AutomatedMessage {
  /** `survey`: delivered to the customer on `inboxId` (default: where they wrote last); `note`: agents only. */
  kind: 'survey' | 'note';
  body: string;
  inboxId?: string | null;
  /** Stored with the message; `quickReplies` ({title, payload}[]) become buttons where the channel has them. */
  metadata?: Record<string, unknown>;
}

export interface ConversationDetail {
  conversation: ConversationView;
  contact: ConversationListRow['contact'];
  /** Every enabled inbox, with whether a reply can go there now and why not. */
  replyOptions: ReplyOption[];
}

interface Change {
  conversation: Conversation;
  effects: Effects;
  manager: EntityManager;
}

@Injectable()
export class ConversationsService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly conversations: ConversationRepository,
    private readonly directory: DirectoryRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly replyRouter: ReplyRouter,
    private readonly hooks: ConversationHookRegistry,
  ) {}

  async list(workspaceId: string, filter: ConversationFilter): Promise<Page<ConversationListRow>> {
    return this.conversations.list(workspaceId, filter);
  }

  async get(workspaceId: string, id: string): Promise<ConversationDetail> {
    const [row] = await this.conversations.hydrate(workspaceId, [id]);
    if (!row) throw InboxError.notFound('Conversation');
    return {
      conversation: toConversationView(row.conversation, row.labels),
      contact: row.contact,
      replyOptions: await this.replyRouter.options(this.tx.manager, row.conversation),
    };
  }

  /** Whether the customer can be reached where they wrote last (null: no such inbox, or disabled). */
  async replyOption(workspaceId: string, id: string): Promise<ReplyOption | null> {
    const conversation = await this.conversations.findById(workspaceId, id);
    if (!conversation) throw InboxError.notFound('Conversation');
    if (!conversation.replyInboxId) return null;
    return this.replyRouter.optionFor(this.tx.manager, conversation, conversation.replyInboxId);
  }

  /** Messages of one conversation, oldest first. */
  async messages(workspaceId: string, id: string): Promise<MessageView[]> {
    await this.require(workspaceId, id);
    const messages = await this.tx.manager.find(Message, {
      where: { workspaceId, conversationId: id },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: 1000,
    });
    return messages.map(toMessageView);
  }

  /** An agent's public reply: stored `queued`, delivered by the worker on the chosen channel. */
  async reply(workspaceId: string, actor: Actor, id: string, input: ReplyInput): Promise<MessageView> {
    let created: Message | undefined;
    await this.change(workspaceId, id, async ({ conversation, effects, manager }) => {
      const template = input.template
        ? { contentSid: input.template.contentSid, variables: input.template.variables ?? {} }
        : null;
      if (!template && !input.body?.trim())
        throw new InboxError(InboxErrorCode.InvalidInput, 'A reply needs a body or a template');
      if (template && input.body?.trim()) {
        throw new InboxError(InboxErrorCode.InvalidInput, 'Send either a body or a template, not both');
      }
      const variables = Object.values(template?.variables ?? {});
      if (
        variables.length > 20 ||
        variables.some((value) => typeof value !== 'string' || value.length > 1024)
      ) {
        throw new InboxError(InboxErrorCode.InvalidInput, 'template.variables must be at most 20 strings');
      }
      const { inbox, identity, tag } = await this.replyRouter.target(
        manager,
        conversation,
        input.inboxId,
        template !== null,
        actor.type === 'agent',
      );
      const now = new Date();
      const human = actor.type === 'agent';
      created = await manager.save(
        manager.create(Message, {
          workspaceId,
          conversationId: conversation.id,
          contactId: conversation.contactId,
          inboxId: inbox.id,
          identityId: identity.id,
          channel: inbox.channel,
          direction: 'out',
          senderType: human ? 'agent' : 'bot',
          authorId: userIdOf(actor),
          kind: 'text',
          body: input.body?.trim() ? input.body : `WhatsApp template ${template?.contentSid ?? ''}`.trim(),
          attachments: input.attachments ?? [],
          status: 'queued',
          metadata: {
            ...input.metadata,
            ...actorMetadata(actor),
            ...(template ? { template } : {}),
            ...(tag ? { messageTag: tag } : {}),
          },
          createdAt: now,
        }),
      );
      const facts = { channel: inbox.channel, inboxId: inbox.id, messageId: created.id, occurredAt: now };
      if (human) {
        effects.event(conversation, 'agent_reply', actor, {
          ...facts,
          data: { waitingSince: conversation.waitingSince?.toISOString() ?? null },
        });
        if (!conversation.firstResponseAt) {
          conversation.firstResponseAt = now;
          effects.event(conversation, 'first_response', actor, facts);
        }
        conversation.agentRepliesCount += 1;
        conversation.waitingSince = null;
      }
      conversation.messagesCount += 1;
      conversation.lastMessageAt = now;
      effects.messageCreated(toMessageView(created));
      effects.job({
        name: 'delivery.deliver',
        data: { workspaceId, messageId: created.id },
        jobId: created.id,
      });
    });
    if (!created) throw new Error('reply was not stored');
    return toMessageView(created);
  }

  /**
   * Posts an automated message and runs `within` in the same transaction (so a caller can record
   * that it was sent, exactly once). A survey to an unreachable customer fails with `Unreachable`.
   */
  async postAutomated(
    workspaceId: string,
    id: string,
    input: AutomatedMessage,
    within?: (context: Change & { message: MessageView }) => Promise<void>,
  ): Promise<MessageView> {
    let created: Message | undefined;
    await this.change(workspaceId, id, async ({ conversation, effects, manager }) => {
      const now = new Date();
      const target =
        input.kind === 'survey'
          ? await this.replyRouter.target(manager, conversation, input.inboxId ?? undefined, false, false)
          : null;
      created = await manager.save(
        manager.create(Message, {
          workspaceId,
          conversationId: conversation.id,
          contactId: conversation.contactId,
          inboxId: target?.inbox.id ?? null,
          identityId: target?.identity.id ?? null,
          channel: target?.inbox.channel ?? null,
          direction: 'out',
          senderType: 'system',
          authorId: null,
          kind: input.kind,
          body: input.body,
          attachments: [],
          status: target ? 'queued' : 'received',
          metadata: input.metadata ?? {},
          createdAt: now,
        }),
      );
      conversation.messagesCount += 1;
      effects.messageCreated(toMessageView(created));
      if (target) {
        effects.job({
          name: 'delivery.deliver',
          data: { workspaceId, messageId: created.id },
          jobId: created.id,
        });
      }
      await within?.({ conversation, effects, manager, message: toMessageView(created) });
    });
    if (!created) throw new Error('automated message was not stored');
    return toMessageView(created);
  }

  /** A private note: visible to agents only, never delivered, does not stop any clock. */
  async addNote(workspaceId: string, actor: Actor, id: string, body: string): Promise<MessageView> {
    let note: Message | undefined;
    await this.change(workspaceId, id, async ({ conversation, effects, manager }) => {
      note = await manager.save(
        manager.create(Message, {
          workspaceId,
          conversationId: conversation.id,
          contactId: conversation.contactId,
          inboxId: null,
          identityId: null,
          channel: null,
          direction: 'out',
          senderType: actor.type === 'agent' ? 'agent' : 'bot',
          authorId: userIdOf(actor),
          kind: 'note',
          body,
          attachments: [],
          status: 'received',
          metadata: actorMetadata(actor),
          createdAt: new Date(),
        }),
      );
      effects.event(conversation, 'note_added', actor, { messageId: note.id });
      effects.messageCreated(toMessageView(note));
    });
    if (!note) throw new Error('note was not stored');
    return toMessageView(note);
  }

  assign(
    workspaceId: string,
    actor: Actor,
    id: string,
    input: { assigneeId?: string | null; teamId?: string | null },
  ): Promise<ConversationView> {
    return this.change(workspaceId, id, async ({ conversation, effects, manager }) => {
      if (input.teamId !== undefined && input.teamId !== conversation.teamId) {
        if (input.teamId && !(await this.directory.teamExists(workspaceId, input.teamId, manager))) {
          throw InboxError.notFound('Team');
        }
        effects.event(conversation, 'team_changed', actor, {
          data: { from: conversation.teamId, to: input.teamId },
        });
        conversation.teamId = input.teamId;
      }
      if (input.assigneeId !== undefined && input.assigneeId !== conversation.assigneeId) {
        if (input.assigneeId && !(await this.directory.isMember(workspaceId, input.assigneeId, manager))) {
          throw InboxError.notFound('Assignee');
        }
        const previous = conversation.assigneeId;
        const self = actor.id === input.assigneeId;
        const actorName =
          actor.label ??
          (actor.type === 'agent' && actor.id
            ? ((await this.directory.userName(actor.id, manager)) ?? 'an agent')
            : 'an integration');
        conversation.assigneeId = input.assigneeId;
        conversation.assignedAt = input.assigneeId ? new Date() : null;
        conversation.assignmentReason = input.assigneeId
          ? self
            ? `self-assigned by ${actorName}`
            : `manual by ${actorName}`
          : null;
        if (input.assigneeId) conversation.assignmentCount += 1;
        conversation.requeuedFrom = null;
        effects.event(conversation, input.assigneeId ? 'assigned' : 'unassigned', actor, {
          data: { from: previous, to: input.assigneeId, reason: self ? 'self' : 'manual' },
        });
        const targets = [
          rooms.workspace(workspaceId),
          ...(input.assigneeId ? [rooms.agent(input.assigneeId)] : []),
        ];
        effects.realtime('conversation.assigned', targets, {
          conversation: toConversationView(
            conversation,
            await this.conversations.labelsOf(workspaceId, conversation.id, manager),
          ),
          previousAssigneeId: previous,
          actorId: actor.id,
        });
        // Back in the queue, or capacity freed for the previous assignee: let auto-assignment look again.
        if (!input.assigneeId) effects.job(assignConversationJob(workspaceId, conversation.id));
        if (previous) effects.job(sweepJob(workspaceId));
      }
    });
  }

  setPriority(workspaceId: string, actor: Actor, id: string, priority: Priority): Promise<ConversationView> {
    return this.change(workspaceId, id, ({ conversation, effects }) => {
      if (conversation.priority !== priorityRank(priority)) {
        effects.event(conversation, 'priority_changed', actor, {
          data: { from: priorityName(conversation.priority), to: priority },
        });
        conversation.priority = priorityRank(priority);
      }
      return Promise.resolve();
    });
  }

  /**
   * Escalation: urgent priority, optionally another team, an `escalated` event on the timeline and
   * a live `conversation.escalated` to supervisors and the assignee.
   */
  escalate(
    workspaceId: string,
    actor: Actor,
    id: string,
    input: { teamId?: string; reason: string | null },
  ): Promise<ConversationView> {
    return this.change(workspaceId, id, async ({ conversation, effects, manager }) => {
      const urgent = priorityRank('urgent');
      if (conversation.priority !== urgent) {
        effects.event(conversation, 'priority_changed', actor, {
          data: { from: priorityName(conversation.priority), to: 'urgent' },
        });
        conversation.priority = urgent;
      }
      if (input.teamId && input.teamId !== conversation.teamId) {
        if (!(await this.directory.teamExists(workspaceId, input.teamId, manager)))
          throw InboxError.notFound('Team');
        effects.event(conversation, 'team_changed', actor, {
          data: { from: conversation.teamId, to: input.teamId },
        });
        conversation.teamId = input.teamId;
      }
      effects.event(conversation, 'escalated', actor, {
        data: { reason: input.reason, by: actor.label ?? null },
      });
      effects.realtime(
        'conversation.escalated',
        [
          rooms.supervisors(workspaceId),
          ...(conversation.assigneeId ? [rooms.agent(conversation.assigneeId)] : []),
          ...(conversation.teamId ? [rooms.team(conversation.teamId)] : []),
        ],
        { conversationId: id, reason: input.reason, by: actor.label ?? null, teamId: conversation.teamId },
      );
    });
  }

  snooze(workspaceId: string, actor: Actor, id: string, until: Date): Promise<ConversationView> {
    const delay = until.getTime() - Date.now();
    if (delay <= 0 || delay > MAX_SNOOZE_MS) {
      throw new InboxError(InboxErrorCode.InvalidInput, 'until must be in the future and within a year');
    }
    return this.change(workspaceId, id, ({ conversation, effects }) => {
      if (conversation.status === 'resolved') {
        throw new InboxError(
          InboxErrorCode.InvalidState,
          'A resolved conversation cannot be snoozed; reopen it first',
        );
      }
      conversation.status = 'snoozed';
      conversation.snoozedUntil = until;
      effects.event(conversation, 'snoozed', actor, { data: { until: until.toISOString() } });
      effects.job({
        name: 'conversations.unsnooze',
        data: { workspaceId, conversationId: conversation.id, snoozedUntil: until.toISOString() },
        jobId: `unsnooze-${conversation.id}-${until.getTime()}`,
        delayMs: delay,
      });
      return Promise.resolve();
    });
  }

  /** Wakes a snoozed conversation when its time has come; a no-op if anything changed since. */
  async wake(workspaceId: string, id: string, snoozedUntil: Date): Promise<void> {
    const conversation = await this.conversations.findById(workspaceId, id);
    if (conversation?.status !== 'snoozed' || conversation.snoozedUntil?.getTime() !== snoozedUntil.getTime())
      return;
    await this.change(workspaceId, id, ({ conversation: locked, effects }) => {
      if (locked.status !== 'snoozed' || locked.snoozedUntil?.getTime() !== snoozedUntil.getTime())
        return Promise.resolve();
      locked.status = 'open';
      locked.snoozedUntil = null;
      effects.event(
        locked,
        'unsnoozed',
        { type: 'system', id: null },
        { data: { from: 'snoozed', reason: 'timer' } },
      );
      return Promise.resolve();
    });
  }

  /**
   * Waiting on the customer: the conversation stays unresolved but its clocks for active resolution
   * and handle time pause until the customer writes or an agent opens it again.
   */
  setStatus(
    workspaceId: string,
    actor: Actor,
    id: string,
    to: 'open' | 'pending',
  ): Promise<ConversationView> {
    return this.change(workspaceId, id, ({ conversation, effects }) => {
      if (conversation.status === 'resolved') {
        throw new InboxError(InboxErrorCode.InvalidState, 'A resolved conversation must be reopened first');
      }
      if (conversation.status !== to) {
        effects.event(
          conversation,
          conversation.status === 'snoozed' ? 'unsnoozed' : 'status_changed',
          actor,
          {
            data: { from: conversation.status, to, reason: 'agent' },
          },
        );
        conversation.status = to;
        conversation.snoozedUntil = null;
      }
      return Promise.resolve();
    });
  }

  /**
   * Records that an SLA target warned or breached, once per target and due time, and alerts the
   * workspace and the assignee. Returns false when it was already recorded.
   */
  async recordSlaAlert(
    workspaceId: string,
    id: string,
    alert: Omit<AgentServerEvents['sla.alert'], 'conversationId' | 'assigneeId'>,
  ): Promise<boolean> {
    let recorded = false;
    const type = alert.stage === 'warning' ? 'sla_warning' : 'sla_breached';
    await this.change(workspaceId, id, async ({ conversation, effects, manager }) => {
      const seen = await manager
        .createQueryBuilder(ConversationEvent, 'event')
        .where('event.conversation_id = :id AND event.type = :type', { id, type })
        .andWhere(`event.data->>'kind' = :kind AND event.data->>'dueAt' = :dueAt`, alert)
        .getExists();
      if (seen) return;
      recorded = true;
      effects.event(conversation, type, SYSTEM, {
        data: { kind: alert.kind, dueAt: alert.dueAt, policyId: alert.policyId },
      });
      effects.job(
        automationJob(
          workspaceId,
          alert.stage === 'warning' ? 'sla.warning' : 'sla.breached',
          id,
          null,
          [],
          alert.dueAt.replace(/[^0-9]/g, ''),
        ),
      );
      effects.realtime(
        'sla.alert',
        [
          rooms.workspace(workspaceId),
          ...(conversation.assigneeId ? [rooms.agent(conversation.assigneeId)] : []),
        ],
        { ...alert, conversationId: id, assigneeId: conversation.assigneeId },
      );
    });
    return recorded;
  }

  resolve(workspaceId: string, actor: Actor, id: string): Promise<ConversationView> {
    return this.change(workspaceId, id, async ({ conversation, effects, manager }) => {
      if (conversation.status === 'resolved') {
        throw new InboxError(InboxErrorCode.InvalidState, 'The conversation is already resolved');
      }
      conversation.status = 'resolved';
      conversation.resolvedAt = new Date();
      conversation.waitingSince = null;
      conversation.snoozedUntil = null;
      effects.event(conversation, 'resolved', actor, {
        data: { agentReplies: conversation.agentRepliesCount },
      });
      effects.job(
        automationJob(
          workspaceId,
          'conversation.resolved',
          conversation.id,
          null,
          actor.chain ?? [],
          String(conversation.resolvedAt.getTime()),
        ),
      );
      // The assignee has room for the next waiting conversation.
      if (conversation.assigneeId) effects.job(sweepJob(workspaceId));
      await this.hooks.resolved({ manager, conversation, actor, effects });
    });
  }

  reopen(workspaceId: string, actor: Actor, id: string): Promise<ConversationView> {
    return this.change(workspaceId, id, async ({ conversation, effects, manager }) => {
      if (conversation.status !== 'resolved' || conversation.mergedIntoId) {
        throw new InboxError(InboxErrorCode.InvalidState, 'Only a resolved conversation can be reopened');
      }
      if (
        await this.conversations.otherUnresolvedExists(
          manager,
          workspaceId,
          conversation.contactId,
          conversation.id,
        )
      ) {
        throw new InboxError(InboxErrorCode.Conflict, 'This customer already has an open conversation');
      }
      conversation.status = 'open';
      conversation.resolvedAt = null;
      conversation.reopenCount += 1;
      effects.event(conversation, 'reopened', actor, { data: { reason: 'agent' } });
      await this.hooks.reopened({ manager, conversation, actor, effects });
    });
  }

  /** Replaces the conversation's labels with these names; each must exist in the workspace. */
  setLabels(workspaceId: string, actor: Actor, id: string, names: string[]): Promise<ConversationView> {
    return this.change(workspaceId, id, async ({ conversation, effects, manager }) => {
      const wanted = [...new Set(names)];
      const labels = wanted.length
        ? await manager.find(Label, { where: { workspaceId, name: In(wanted) } })
        : [];
      const missing = wanted.filter((name) => !labels.some((label) => label.name === name));
      if (missing.length)
        throw new InboxError(InboxErrorCode.InvalidInput, `Unknown labels: ${missing.join(', ')}`);
      const current = await manager.find(ConversationLabel, {
        where: { workspaceId, conversationId: conversation.id },
      });
      const currentIds = new Set(current.map((row) => row.labelId));
      const wantedIds = new Set(labels.map((label) => label.id));
      for (const label of labels.filter((l) => !currentIds.has(l.id))) {
        await manager.insert(ConversationLabel, {
          workspaceId,
          conversationId: conversation.id,
          labelId: label.id,
        });
        effects.event(conversation, 'label_added', actor, { data: { label: label.name } });
      }
      const removed = current.filter((r) => !wantedIds.has(r.labelId));
      const removedNames = removed.length
        ? await manager.find(Label, { where: { workspaceId, id: In(removed.map((r) => r.labelId)) } })
        : [];
      for (const row of removed) {
        await manager.delete(ConversationLabel, { conversationId: conversation.id, labelId: row.labelId });
        const name = removedNames.find((label) => label.id === row.labelId)?.name ?? null;
        effects.event(conversation, 'label_removed', actor, { data: { label: name } });
      }
    });
  }

  private async require(workspaceId: string, id: string): Promise<Conversation> {
    const conversation = await this.conversations.findById(workspaceId, id);
    if (!conversation) throw InboxError.notFound('Conversation');
    return conversation;
  }

  /** Locks the conversation, applies a change, and writes state, events and outbox in one transaction. */
  private async change(
    workspaceId: string,
    id: string,
    apply: (change: Change) => Promise<void>,
  ): Promise<ConversationView> {
    try {
      const view = await this.tx.run(async (manager) => {
        const conversation = await this.conversations.lockById(manager, workspaceId, id);
        if (!conversation) throw InboxError.notFound('Conversation');
        const row = new TrackedRow(manager, Conversation, conversation);
        const effects = new Effects(workspaceId);
        await apply({ conversation, effects, manager });
        await row.write();
        const result = toConversationView(
          conversation,
          await this.conversations.labelsOf(workspaceId, id, manager),
        );
        effects.conversationUpdated(result);
        await effects.flush(manager, this.outbox);
        return result;
      });
      this.relay.kick();
      return view;
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new InboxError(InboxErrorCode.Conflict, 'This customer already has an open conversation');
      }
      throw error;
    }
  }
}
