import { Injectable } from '@nestjs/common';
import { In, IsNull, type EntityManager, type QueryDeepPartialEntity } from 'typeorm';
import { AuditLogRepository, decodeCursor, toPage, TransactionRunner, type Page } from '@parley/database';
import { OutboxRelay, OutboxRepository } from '@parley/jobs';
import type { MessageView } from '@parley/realtime';
import { ConversationRepository, contactMatches, likePattern } from './conversation.repository.js';
import { Effects, userIdOf, type Actor } from './effects.js';
import {
  Contact,
  ContactIdentity,
  ContactMerge,
  Conversation,
  Message,
  type MergeMoves,
} from './inbox.entities.js';
import { InboxError, InboxErrorCode } from './inbox.errors.js';
import { toConversationView, toMessageView } from './views.js';

export interface ContactProfile {
  contact: Contact;
  identities: ContactIdentity[];
  conversations: Conversation[];
  merges: ContactMerge[];
}

const MERGEABLE_FIELDS = ['name', 'email', 'phone', 'avatarUrl'] as const;

@Injectable()
export class ContactsService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly conversations: ConversationRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly audit: AuditLogRepository,
  ) {}

  async list(
    workspaceId: string,
    query: { search?: string; cursor?: string; limit: number },
  ): Promise<Page<Contact>> {
    const params: unknown[] = [workspaceId];
    const where = ['ct.workspace_id = $1', 'ct.merged_into_id IS NULL', 'ct.erased_at IS NULL'];
    if (query.search) {
      params.push(likePattern(query.search));
      where.push(contactMatches(`$${params.length}`));
    }
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      params.push(cursor.values[0], cursor.id);
      where.push(
        `(ct.last_activity_at, ct.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(query.limit + 1);
    const rows: Array<{ id: string; sort_ts: string }> = await this.tx.manager.query(
      `SELECT ct.id, ct.last_activity_at::text AS sort_ts FROM contacts ct WHERE ${where.join(' AND ')}
        ORDER BY ct.last_activity_at DESC, ct.id DESC LIMIT $${params.length}`,
      params,
    );
    const page = toPage(rows, query.limit, (row) => ({ values: [row.sort_ts], id: row.id }));
    const contacts = await this.tx.manager.find(Contact, {
      where: { workspaceId, id: In(page.items.map((r) => r.id)) },
    });
    const byId = new Map(contacts.map((contact) => [contact.id, contact]));
    return { items: page.items.flatMap((row) => byId.get(row.id) ?? []), nextCursor: page.nextCursor };
  }

  async profile(workspaceId: string, id: string): Promise<ContactProfile> {
    const contact = await this.require(workspaceId, id);
    const [identities, conversations, merges] = await Promise.all([
      this.tx.manager.find(ContactIdentity, {
        where: { workspaceId, contactId: id },
        order: { createdAt: 'ASC' },
      }),
      this.conversations.listForContact(workspaceId, id),
      this.tx.manager.find(ContactMerge, {
        where: [
          { workspaceId, targetContactId: id },
          { workspaceId, sourceContactId: id },
        ],
        order: { mergedAt: 'DESC' },
      }),
    ]);
    return { contact, identities, conversations, merges };
  }

  async update(
    workspaceId: string,
    id: string,
    changes: {
      name?: string | null;
      attributes?: Record<string, unknown>;
      consent?: Record<string, unknown>;
    },
  ): Promise<Contact> {
    const contact = await this.requireLive(workspaceId, id);
    await this.tx.manager.update(Contact, { workspaceId, id }, {
      name: changes.name === undefined ? contact.name : changes.name,
      attributes: changes.attributes ? { ...contact.attributes, ...changes.attributes } : contact.attributes,
      consent: changes.consent ? { ...contact.consent, ...changes.consent } : contact.consent,
    } as QueryDeepPartialEntity<Contact>);
    return this.require(workspaceId, id);
  }

  /** The customer's whole story: every message of every conversation on every channel, newest first. */
  async timeline(
    workspaceId: string,
    id: string,
    query: { cursor?: string; limit: number },
  ): Promise<Page<MessageView>> {
    await this.require(workspaceId, id);
    const params: unknown[] = [workspaceId, id];
    let keyset = '';
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      params.push(cursor.values[0], cursor.id);
      keyset = `AND (m.created_at, m.id) < ($3::timestamptz, $4::uuid)`;
    }
    params.push(query.limit + 1);
    const rows: Array<{ id: string; sort_ts: string }> = await this.tx.manager.query(
      `SELECT m.id, m.created_at::text AS sort_ts FROM messages m
        WHERE m.workspace_id = $1 AND m.contact_id = $2 ${keyset}
        ORDER BY m.created_at DESC, m.id DESC LIMIT $${params.length}`,
      params,
    );
    const page = toPage(rows, query.limit, (row) => ({ values: [row.sort_ts], id: row.id }));
    const messages = await this.tx.manager.find(Message, {
      where: { workspaceId, id: In(page.items.map((r) => r.id)) },
    });
    const byId = new Map(messages.map((message) => [message.id, message]));
    return {
      items: page.items.flatMap((row) => byId.get(row.id) ?? []).map(toMessageView),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Merges `sourceId` into `targetId`: identities, conversations and messages move to the target;
   * if both have an open conversation, the source's folds into the target's so the customer keeps
   * one thread. Everything moved is recorded so `unmerge` can put it back.
   */
  async merge(workspaceId: string, actor: Actor, targetId: string, sourceId: string): Promise<ContactMerge> {
    if (targetId === sourceId)
      throw new InboxError(InboxErrorCode.InvalidInput, 'A contact cannot be merged into itself');
    const merge = await this.tx.run(async (manager) => {
      const [target, source] = await this.lockPair(manager, workspaceId, targetId, sourceId);
      if (target.mergedIntoId || source.mergedIntoId) {
        throw new InboxError(InboxErrorCode.InvalidState, 'That contact was already merged into another');
      }
      const erased = target.erasedAt ?? source.erasedAt;
      if (erased) throw erasedError(erased);
      const effects = new Effects(workspaceId);
      const identities = await manager.find(ContactIdentity, {
        where: { workspaceId, contactId: source.id },
      });
      const sourceConversations = await manager.find(Conversation, {
        where: { workspaceId, contactId: source.id },
      });
      const targetOpen = await this.conversations.findUnresolvedForContact(manager, workspaceId, target.id);
      const sourceOpen = sourceConversations.find((c) => c.status !== 'resolved');

      let folded: MergeMoves['folded'] = null;
      if (targetOpen && sourceOpen) {
        const moved = await manager.find(Message, {
          where: { workspaceId, conversationId: sourceOpen.id },
          select: { id: true },
        });
        folded = {
          conversationId: sourceOpen.id,
          intoConversationId: targetOpen.id,
          previousStatus: sourceOpen.status,
          messageIds: moved.map((m) => m.id),
        };
        await manager.update(
          Message,
          { workspaceId, conversationId: sourceOpen.id },
          { conversationId: targetOpen.id, contactId: target.id },
        );
        await manager.update(
          Conversation,
          { id: sourceOpen.id },
          {
            status: 'resolved',
            resolvedAt: new Date(),
            mergedIntoId: targetOpen.id,
            waitingSince: null,
            snoozedUntil: null,
          },
        );
        await this.recount(manager, targetOpen.id);
        await this.recount(manager, sourceOpen.id);
      }
      const conversationIds = sourceConversations.map((c) => c.id);
      if (conversationIds.length) {
        await manager.update(
          Conversation,
          { workspaceId, id: In(conversationIds) },
          { contactId: target.id },
        );
        await manager.update(
          Message,
          { workspaceId, conversationId: In(conversationIds) },
          { contactId: target.id },
        );
      }
      await manager.update(ContactIdentity, { workspaceId, contactId: source.id }, { contactId: target.id });
      const filled = MERGEABLE_FIELDS.filter((field) => !target[field] && source[field]);
      await manager.update(Contact, { id: target.id }, Object.fromEntries(filled.map((f) => [f, source[f]])));
      await manager.update(Contact, { id: source.id }, { mergedIntoId: target.id });

      const record = await manager.save(ContactMerge, {
        workspaceId,
        targetContactId: target.id,
        sourceContactId: source.id,
        mergedBy: userIdOf(actor),
        mergedAt: new Date(),
        unmergedBy: null,
        unmergedAt: null,
        moved: { identityIds: identities.map((i) => i.id), conversationIds, folded },
        sourceSnapshot: { filledFields: filled, name: source.name, email: source.email, phone: source.phone },
      });
      const anchor = targetOpen ?? sourceOpen;
      if (anchor) {
        effects.event(anchor, 'contact_merged', actor, {
          data: { mergeId: record.id, sourceContactId: source.id },
        });
        const fresh = await manager.findOneByOrFail(Conversation, {
          id: folded?.intoConversationId ?? anchor.id,
        });
        effects.conversationUpdated(
          toConversationView(fresh, await this.conversations.labelsOf(workspaceId, fresh.id, manager)),
        );
      }
      if (folded) {
        // The folded-away conversation disappears from open views.
        const foldedAway = await manager.findOneByOrFail(Conversation, { id: folded.conversationId });
        effects.conversationUpdated(toConversationView(foldedAway, []));
      }
      await effects.flush(manager, this.outbox);
      await this.audit.record(
        {
          workspaceId,
          actorType: actor.type === 'agent' ? 'user' : 'api_key',
          actorId: actor.id,
          action: 'contact.merged',
          targetType: 'contact',
          targetId: target.id,
          data: { mergeId: record.id, sourceContactId: source.id },
        },
        manager,
      );
      return record;
    });
    this.relay.kick();
    return merge;
  }

  /** Reverses a merge: what it moved goes back; messages that arrived since stay where they are. */
  async unmerge(workspaceId: string, actor: Actor, mergeId: string): Promise<ContactMerge> {
    const result = await this.tx.run(async (manager) => {
      const merge = await manager.findOne(ContactMerge, {
        where: { workspaceId, id: mergeId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!merge) throw InboxError.notFound('Merge');
      if (merge.unmergedAt)
        throw new InboxError(InboxErrorCode.InvalidState, 'This merge was already undone');
      const [target, source] = await this.lockPair(
        manager,
        workspaceId,
        merge.targetContactId,
        merge.sourceContactId,
      );
      if (source.mergedIntoId !== target.id || target.mergedIntoId) {
        throw new InboxError(InboxErrorCode.InvalidState, 'Undo the later merge of these contacts first');
      }
      const { identityIds, conversationIds, folded } = merge.moved;
      const effects = new Effects(workspaceId);
      if (identityIds.length) {
        await manager.update(
          ContactIdentity,
          { workspaceId, id: In(identityIds), contactId: target.id },
          { contactId: source.id },
        );
      }
      if (conversationIds.length) {
        await manager.update(
          Conversation,
          { workspaceId, id: In(conversationIds) },
          { contactId: source.id },
        );
        await manager.update(
          Message,
          { workspaceId, conversationId: In(conversationIds) },
          { contactId: source.id },
        );
      }
      if (folded) {
        if (folded.messageIds.length) {
          await manager.update(
            Message,
            { workspaceId, id: In(folded.messageIds), conversationId: folded.intoConversationId },
            { conversationId: folded.conversationId, contactId: source.id },
          );
        }
        const restoredOpen = folded.previousStatus !== 'resolved';
        if (
          restoredOpen &&
          (await this.conversations.otherUnresolvedExists(
            manager,
            workspaceId,
            source.id,
            folded.conversationId,
          ))
        ) {
          throw new InboxError(
            InboxErrorCode.Conflict,
            'The original customer has a new open conversation; resolve it first',
          );
        }
        // A snooze timer was dropped with the fold, so a once-snoozed conversation comes back open.
        const status = folded.previousStatus === 'snoozed' ? 'open' : folded.previousStatus;
        await manager.update(
          Conversation,
          { id: folded.conversationId },
          { status, mergedIntoId: null, snoozedUntil: null, resolvedAt: restoredOpen ? null : new Date() },
        );
        await this.recount(manager, folded.intoConversationId);
        await this.recount(manager, folded.conversationId);
      }
      const filled =
        (merge.sourceSnapshot.filledFields as Array<(typeof MERGEABLE_FIELDS)[number]> | undefined) ?? [];
      const restore = filled.filter((field) => target[field] === source[field]);
      if (restore.length)
        await manager.update(Contact, { id: target.id }, Object.fromEntries(restore.map((f) => [f, null])));
      await manager.update(Contact, { id: source.id }, { mergedIntoId: null });
      merge.unmergedAt = new Date();
      merge.unmergedBy = userIdOf(actor);
      await manager.save(merge);

      for (const conversationId of new Set([
        ...(folded ? [folded.intoConversationId, folded.conversationId] : []),
        ...conversationIds,
      ])) {
        const conversation = await manager.findOneBy(Conversation, { id: conversationId });
        if (!conversation || conversation.status === 'resolved') continue;
        effects.event(conversation, 'contact_unmerged', actor, { data: { mergeId } });
        effects.conversationUpdated(
          toConversationView(
            conversation,
            await this.conversations.labelsOf(workspaceId, conversation.id, manager),
          ),
        );
      }
      await effects.flush(manager, this.outbox);
      await this.audit.record(
        {
          workspaceId,
          actorType: actor.type === 'agent' ? 'user' : 'api_key',
          actorId: actor.id,
          action: 'contact.unmerged',
          targetType: 'contact',
          targetId: source.id,
          data: { mergeId },
        },
        manager,
      );
      return merge;
    });
    this.relay.kick();
    return result;
  }

  private async require(workspaceId: string, id: string): Promise<Contact> {
    const contact = await this.tx.manager.findOne(Contact, { where: { workspaceId, id } });
    if (!contact) throw InboxError.notFound('Contact');
    return contact;
  }

  /** Locks two contacts in id order, so concurrent merges cannot deadlock. */
  private async lockPair(
    manager: EntityManager,
    workspaceId: string,
    a: string,
    b: string,
  ): Promise<[Contact, Contact]> {
    const locked = await manager.find(Contact, {
      where: { workspaceId, id: In([a, b]) },
      order: { id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    const first = locked.find((c) => c.id === a);
    const second = locked.find((c) => c.id === b);
    if (!first || !second) throw InboxError.notFound('Contact');
    return [first, second];
  }

  private async recount(manager: EntityManager, conversationId: string): Promise<void> {
    await manager.query(
      `UPDATE conversations c SET
         messages_count = (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.kind <> 'note'),
         customer_messages_count = (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in'),
         agent_replies_count = (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.sender_type = 'agent' AND m.kind = 'text'),
         last_message_at = coalesce((SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = c.id), c.last_message_at)
       WHERE c.id = $1`,
      [conversationId],
    );
  }

  /** Live contacts only: a merged-away contact answers 404 through the API, an erased one 410. */
  async requireLive(workspaceId: string, id: string, manager = this.tx.manager): Promise<Contact> {
    const contact = await manager.findOne(Contact, {
      where: { workspaceId, id, mergedIntoId: IsNull() },
    });
    if (!contact) throw InboxError.notFound('Contact');
    if (contact.erasedAt) throw erasedError(contact.erasedAt);
    return contact;
  }
}

export function erasedError(erasedAt: Date): InboxError {
  return new InboxError(
    InboxErrorCode.Gone,
    `This contact's personal data was erased on ${erasedAt.toISOString().slice(0, 10)}`,
  );
}
