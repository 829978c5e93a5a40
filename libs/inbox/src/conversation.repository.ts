import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull, Not, type EntityManager } from 'typeorm';
import { decodeCursor, hydrate, toPage, type Page } from '@parley/database';
import type { Channel, ConversationStatus } from '@parley/realtime';
import { Conversation, ConversationLabel, Label } from './inbox.entities.js';

export type InboxView = 'mine' | 'unassigned' | 'all';
export type InboxSort = 'newest' | 'oldest_waiting' | 'priority';

export interface ConversationFilter {
  view: InboxView;
  userId: string | null;
  status?: ConversationStatus;
  teamId?: string;
  inboxId?: string;
  channel?: Channel;
  labelId?: string;
  search?: string;
  sort: InboxSort;
  cursor?: string;
  limit: number;
}

export interface ConversationListRow {
  conversation: Conversation;
  contact: {
    id: string;
    name: string | null;
    email: string | null;
    phone: string | null;
    avatarUrl: string | null;
  };
  lastMessage: { body: string; direction: 'in' | 'out'; kind: string; createdAt: Date } | null;
  labels: string[];
}

interface RawListRow {
  id: string;
  sort_ts: string | null;
  priority: number;
}

const UNRESOLVED: ConversationStatus[] = ['open', 'pending', 'snoozed'];

/**
 * A contact (`ct`) whose name, email or phone contains the `likePattern` in `param`, in any case:
 * `search_text` is that text lower-cased (migration 1765730000000), trigram-indexed.
 */
export function contactMatches(param: string): string {
  return `ct.search_text LIKE lower(${param})`;
}

export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

@Injectable()
export class ConversationRepository {
  constructor(private readonly dataSource: DataSource) {}

  findById(
    workspaceId: string,
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Conversation | null> {
    return manager.findOne(Conversation, { where: { workspaceId, id } });
  }

  lockById(manager: EntityManager, workspaceId: string, id: string): Promise<Conversation | null> {
    return manager.findOne(Conversation, { where: { workspaceId, id }, lock: { mode: 'pessimistic_write' } });
  }

  /** The contact's open, pending or snoozed conversation: there is at most one (unique index). */
  /** The contact's one unresolved conversation, locked (every inbound message reads it: no query builder). */
  async findUnresolvedForContact(
    manager: EntityManager,
    workspaceId: string,
    contactId: string,
  ): Promise<Conversation | null> {
    const rows = await manager.query<Array<Record<string, unknown>>>(
      `SELECT * FROM conversations WHERE workspace_id = $1 AND contact_id = $2 AND status = ANY($3::text[])
        LIMIT 1 FOR UPDATE`,
      [workspaceId, contactId, UNRESOLVED],
    );
    return rows[0] ? hydrate(manager, Conversation, rows[0]) : null;
  }

  findLatestForContact(
    manager: EntityManager,
    workspaceId: string,
    contactId: string,
  ): Promise<Conversation | null> {
    return manager.findOne(Conversation, {
      where: { workspaceId, contactId, status: 'resolved', mergedIntoId: IsNull() },
      order: { openedAt: 'DESC', id: 'DESC' },
      lock: { mode: 'pessimistic_write' },
    });
  }

  listForContact(workspaceId: string, contactId: string): Promise<Conversation[]> {
    return this.dataSource.manager.find(Conversation, {
      where: { workspaceId, contactId },
      order: { openedAt: 'DESC' },
      take: 100,
    });
  }

  async labelsOf(
    workspaceId: string,
    conversationId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<string[]> {
    const rows = await manager
      .createQueryBuilder(Label, 'l')
      .innerJoin(ConversationLabel, 'cl', 'cl.label_id = l.id')
      .where('cl.workspace_id = :workspaceId AND cl.conversation_id = :conversationId', {
        workspaceId,
        conversationId,
      })
      .orderBy('l.name')
      .getMany();
    return rows.map((label) => label.name);
  }

  otherUnresolvedExists(
    manager: EntityManager,
    workspaceId: string,
    contactId: string,
    exceptId: string,
  ): Promise<boolean> {
    return manager.exists(Conversation, {
      where: { workspaceId, contactId, status: In(UNRESOLVED), id: Not(exceptId) },
    });
  }

  /** The inbox list: keyset-paginated on an index that matches each sort. */
  async list(workspaceId: string, filter: ConversationFilter): Promise<Page<ConversationListRow>> {
    const params: unknown[] = [workspaceId];
    const p = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = ['c.workspace_id = $1'];
    where.push(filter.status ? `c.status = ${p(filter.status)}` : `c.status <> 'resolved'`);
    if (filter.view === 'mine') where.push(`c.assignee_id = ${p(filter.userId)}`);
    if (filter.view === 'unassigned') where.push('c.assignee_id IS NULL');
    if (filter.teamId) where.push(`c.team_id = ${p(filter.teamId)}`);
    if (filter.inboxId) where.push(`c.reply_inbox_id = ${p(filter.inboxId)}`);
    if (filter.channel) where.push(`c.last_channel = ${p(filter.channel)}`);
    if (filter.labelId) {
      where.push(
        `EXISTS (SELECT 1 FROM conversation_labels cl WHERE cl.conversation_id = c.id AND cl.label_id = ${p(filter.labelId)})`,
      );
    }
    if (filter.search) {
      where.push(
        // ANY(ARRAY(…)): the matching contacts first (trigram index), then their conversations by contact;
        // as IN (…) the planner may walk every unresolved conversation in list order probing each contact.
        `c.contact_id = ANY(ARRAY(SELECT ct.id FROM contacts ct WHERE ct.workspace_id = $1 AND ${contactMatches(p(likePattern(filter.search)))}))`,
      );
    }

    const cursor = filter.cursor ? decodeCursor(filter.cursor) : null;
    let order: string;
    let sortTs: string;
    switch (filter.sort) {
      case 'newest':
        sortTs = 'c.last_message_at';
        order = 'c.last_message_at DESC, c.id DESC';
        if (cursor)
          where.push(
            `(c.last_message_at, c.id) < (${p(cursor.values[0])}::timestamptz, ${p(cursor.id)}::uuid)`,
          );
        break;
      case 'oldest_waiting':
        sortTs = 'c.waiting_since';
        order = 'c.waiting_since ASC NULLS LAST, c.id ASC';
        if (cursor) {
          const id = p(cursor.id);
          where.push(
            cursor.values[0] === null
              ? `(c.waiting_since IS NULL AND c.id > ${id}::uuid)`
              : `((c.waiting_since, c.id) > (${p(cursor.values[0])}::timestamptz, ${id}::uuid) OR c.waiting_since IS NULL)`,
          );
        }
        break;
      case 'priority':
        sortTs = 'c.last_message_at';
        order = 'c.priority DESC, c.last_message_at DESC, c.id DESC';
        if (cursor) {
          where.push(
            `(c.priority, c.last_message_at, c.id) < (${p(cursor.values[0])}::smallint, ${p(cursor.values[1])}::timestamptz, ${p(cursor.id)}::uuid)`,
          );
        }
        break;
    }
    const raw: RawListRow[] = await this.dataSource.query(
      `SELECT c.id, ${sortTs}::text AS sort_ts, c.priority
         FROM conversations c
        WHERE ${where.join(' AND ')}
        ORDER BY ${order}
        LIMIT ${p(filter.limit + 1)}`,
      params,
    );
    const page = toPage(raw, filter.limit, (row) => ({
      values: filter.sort === 'priority' ? [row.priority, row.sort_ts] : [row.sort_ts],
      id: row.id,
    }));
    return {
      items: await this.hydrate(
        workspaceId,
        page.items.map((row) => row.id),
      ),
      nextCursor: page.nextCursor,
    };
  }

  /** Loads list rows for ids, keeping their order: conversation, contact, last public message, labels. */
  async hydrate(workspaceId: string, ids: string[]): Promise<ConversationListRow[]> {
    if (ids.length === 0) return [];
    const conversations = await this.dataSource.manager.find(Conversation, {
      where: { workspaceId, id: In(ids) },
    });
    const extras: Array<{
      id: string;
      contact: ConversationListRow['contact'];
      last: { body: string; direction: 'in' | 'out'; kind: string; createdAt: string } | null;
      labels: string[] | null;
    }> = await this.dataSource.query(
      `SELECT c.id,
              json_build_object('id', ct.id, 'name', ct.name, 'email', ct.email, 'phone', ct.phone, 'avatarUrl', ct.avatar_url) AS contact,
              (SELECT json_build_object('body', left(m.body, 280), 'direction', m.direction, 'kind', m.kind, 'createdAt', m.created_at)
                 FROM messages m WHERE m.conversation_id = c.id AND m.kind <> 'note'
                ORDER BY m.created_at DESC, m.id DESC LIMIT 1) AS last,
              (SELECT array_agg(l.name ORDER BY l.name) FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id
                WHERE cl.conversation_id = c.id) AS labels
         FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
        WHERE c.workspace_id = $1 AND c.id = ANY($2::uuid[])`,
      [workspaceId, ids],
    );
    const byId = new Map(conversations.map((c) => [c.id, c]));
    const extraById = new Map(extras.map((e) => [e.id, e]));
    return ids.flatMap((id) => {
      const conversation = byId.get(id);
      const extra = extraById.get(id);
      if (!conversation || !extra) return [];
      return [
        {
          conversation,
          contact: extra.contact,
          lastMessage: extra.last ? { ...extra.last, createdAt: new Date(extra.last.createdAt) } : null,
          labels: extra.labels ?? [],
        },
      ];
    });
  }
}
