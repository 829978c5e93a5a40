import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import type { OutboxItem, OutboxRepository, JobRequest } from '@parley/jobs';
import { rooms, type AgentServerEvents, type ConversationView, type MessageView } from '@parley/realtime';
import {
  ConversationEvent,
  type ActorType,
  type ConversationEventType,
  type Conversation,
} from './inbox.entities.js';

export interface Actor {
  type: ActorType;
  id: string | null;
  /** How the actor is named in reasons ("rule “VIP to Billing”"). */
  label?: string;
  /** Automation rules that led to this action; carried into the triggers it causes (loop safety). */
  chain?: string[];
}

export const SYSTEM: Actor = { type: 'system', id: null };

/** Coalesces a burst of changes: the first job to run computes through the newest event, the rest skip. */
const METRICS_DELAY_MS = 1000;

export function metricsJob(
  workspaceId: string,
  conversationId: string,
  seq: string,
): JobRequest<'metrics.conversation'> {
  return {
    name: 'metrics.conversation',
    data: { workspaceId, conversationId, seq },
    jobId: `metrics-${conversationId}-${seq}`,
    delayMs: METRICS_DELAY_MS,
  };
}

/** The user behind an actor, for columns that reference users; API keys (bots) have none. */
export function userIdOf(actor: Actor): string | null {
  return actor.type === 'agent' ? actor.id : null;
}

/** Metadata that keeps who acted when it was not a user (an API key id). */
export function actorMetadata(actor: Actor): Record<string, unknown> {
  return actor.type === 'bot' && actor.id ? { apiKeyId: actor.id } : {};
}

/**
 * What one state change causes besides itself: event-log rows and outbox items. Collected during
 * a transaction and written by `flush` in that same transaction.
 */
export class Effects {
  private readonly events: Array<Partial<ConversationEvent>> = [];
  private readonly items: OutboxItem[] = [];

  constructor(readonly workspaceId: string) {}

  event(
    conversation: Pick<Conversation, 'id'>,
    type: ConversationEventType,
    actor: Actor,
    extra: Partial<Pick<ConversationEvent, 'channel' | 'inboxId' | 'messageId' | 'data' | 'occurredAt'>> = {},
  ): this {
    this.events.push({
      workspaceId: this.workspaceId,
      conversationId: conversation.id,
      type,
      actorType: actor.type,
      actorId: actor.id,
      channel: extra.channel ?? null,
      inboxId: extra.inboxId ?? null,
      messageId: extra.messageId ?? null,
      data: extra.data ?? {},
      occurredAt: extra.occurredAt ?? new Date(),
    });
    return this;
  }

  realtime<E extends keyof AgentServerEvents>(
    event: E,
    roomNames: string[],
    payload: AgentServerEvents[E],
  ): this {
    this.items.push({ kind: 'realtime', envelope: { event, rooms: roomNames, payload } });
    return this;
  }

  messageCreated(message: MessageView): this {
    return this.realtime('message.created', this.roomsFor(message.conversationId), { message });
  }

  messageUpdated(message: MessageView): this {
    return this.realtime('message.updated', this.roomsFor(message.conversationId), { message });
  }

  conversationUpdated(conversation: ConversationView, created = false): this {
    return this.realtime(
      created ? 'conversation.created' : 'conversation.updated',
      this.roomsFor(conversation.id),
      {
        conversation,
      },
    );
  }

  job(job: JobRequest): this {
    this.items.push({ kind: 'job', job });
    return this;
  }

  flush(manager: EntityManager, outbox: OutboxRepository): Promise<void> {
    return Effects.flushAll(manager, outbox, [this]);
  }

  /**
   * Writes the effects of several changes made in one transaction (a group commit of ingested
   * messages): their events in one INSERT, then their outbox rows in one, in the order given,
   * followed by the metrics jobs the events call for.
   */
  static async flushAll(
    manager: EntityManager,
    outbox: OutboxRepository,
    all: ReadonlyArray<Effects>,
  ): Promise<void> {
    const groups = all.map((effects) => ({ workspaceId: effects.workspaceId, items: effects.items }));
    const events = all.flatMap((effects) => effects.events);
    if (events.length) {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(ConversationEvent)
        .values(events as Array<QueryDeepPartialEntity<ConversationEvent>>)
        .returning('workspace_id, conversation_id, seq')
        .execute();
      // Metrics follow the log: one job per conversation and batch, keyed by the newest event.
      const rows = inserted.raw as Array<{ workspace_id: string; conversation_id: string; seq: string }>;
      const newest = new Map<string, { workspaceId: string; seq: string }>();
      for (const row of rows) {
        const seen = newest.get(row.conversation_id);
        if (!seen || BigInt(row.seq) > BigInt(seen.seq))
          newest.set(row.conversation_id, { workspaceId: row.workspace_id, seq: row.seq });
      }
      for (const [conversationId, { workspaceId, seq }] of newest)
        groups.push({
          workspaceId,
          items: [{ kind: 'job', job: metricsJob(workspaceId, conversationId, seq) }],
        });
    }
    await outbox.appendAll(manager, groups);
  }

  private roomsFor(conversationId: string): string[] {
    return [rooms.workspace(this.workspaceId), rooms.conversation(conversationId)];
  }
}
