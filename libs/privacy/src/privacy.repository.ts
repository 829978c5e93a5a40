import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionRunner } from '@parley/database';

/** Redacted text in place of a message body, a survey comment or a subject. */
export const ERASED = '[erased]';

/** Message bodies, HTML, attachments and provider metadata are replaced; kind, direction, sender and times stay. */
const REDACT_MESSAGE = `body = CASE WHEN body = '' THEN '' ELSE '${ERASED}' END, html = NULL,
  attachments = '[]'::jsonb, metadata = '{}'::jsonb, error_message = NULL, redacted_at = now()`;

/** Every storage key a message's attachments and raw email source occupy in the attachment store. */
const STORAGE_KEYS = `SELECT a.value->>'storageKey' AS key FROM jsonb_array_elements(m.attachments) a
   WHERE a.value->>'storageKey' IS NOT NULL
  UNION ALL SELECT m.metadata->'email'->>'rawKey' WHERE m.metadata->'email'->>'rawKey' IS NOT NULL`;

export interface ErasureCounts {
  messages: number;
  identities: number;
  conversations: number;
  surveys: number;
  inboundEvents: number;
  files: number;
}

export interface RetentionBatch {
  messages: number;
  inboundEvents: number;
  files: number;
}

/**
 * SQL of the privacy operations. Erasure and retention must redact the inbox's and the surveys'
 * rows in one transaction, so this repository is the one place that writes across those tables.
 */
@Injectable()
export class PrivacyRepository {
  constructor(private readonly tx: TransactionRunner) {}

  /** The contact and every contact merged into it (directly or through a chain), locked. */
  lockContactFamily(manager: EntityManager, workspaceId: string, contactId: string): Promise<string[]> {
    return this.family(manager, workspaceId, contactId, 'FOR UPDATE OF c');
  }

  familyOf(workspaceId: string, contactId: string): Promise<string[]> {
    return this.family(this.tx.manager, workspaceId, contactId, '');
  }

  private async family(
    manager: EntityManager,
    workspaceId: string,
    contactId: string,
    lock: string,
  ): Promise<string[]> {
    const rows: Array<{ id: string }> = await manager.query(
      `WITH RECURSIVE family AS (
         SELECT id FROM contacts WHERE workspace_id = $1 AND id = $2
         UNION SELECT c.id FROM contacts c JOIN family f ON c.merged_into_id = f.id WHERE c.workspace_id = $1
       )
       SELECT c.id FROM contacts c JOIN family f ON f.id = c.id ORDER BY c.id ${lock}`,
      [workspaceId, contactId],
    );
    // The asked-for contact first, then what was merged into it.
    return rows.map((row) => row.id).sort((a, b) => Number(b === contactId) - Number(a === contactId));
  }

  async unresolvedConversations(
    manager: EntityManager,
    workspaceId: string,
    contactIds: string[],
  ): Promise<number> {
    const [row]: Array<{ n: number }> = await manager.query(
      `SELECT count(*)::int AS n FROM conversations
        WHERE workspace_id = $1 AND contact_id = ANY($2::uuid[]) AND status <> 'resolved' AND merged_into_id IS NULL`,
      [workspaceId, contactIds],
    );
    return row.n;
  }

  /** Redacts everything personal about these contacts; keeps events, metrics and survey scores. */
  async erase(manager: EntityManager, workspaceId: string, contactIds: string[]): Promise<ErasureCounts> {
    const params = [workspaceId, contactIds];
    // Raw provider payloads: those that produced the contact's messages, and any naming its identities.
    const inboundEvents: Array<{ id: string }> = await manager.query(
      `WITH ids AS (
         SELECT value FROM contact_identities WHERE workspace_id = $1 AND contact_id = ANY($2::uuid[]) AND length(value) >= 5
       ), inboxes AS (
         SELECT DISTINCT inbox_id FROM messages WHERE workspace_id = $1 AND contact_id = ANY($2::uuid[]) AND inbox_id IS NOT NULL
       )
       UPDATE inbound_events e SET payload = '{"redacted": true}'::jsonb, error = NULL, redacted_at = now()
        WHERE e.workspace_id = $1 AND e.redacted_at IS NULL AND e.inbox_id IN (SELECT inbox_id FROM inboxes)
          AND (EXISTS (SELECT 1 FROM messages m WHERE m.workspace_id = $1 AND m.contact_id = ANY($2::uuid[])
                        AND m.inbox_id = e.inbox_id AND m.external_id = e.external_id)
               OR EXISTS (SELECT 1 FROM ids WHERE strpos(e.payload::text, ids.value) > 0))
       RETURNING e.id`,
      params,
    );
    const files = await this.queueFiles(
      manager,
      workspaceId,
      `SELECT k.key FROM messages m, LATERAL (${STORAGE_KEYS}) k
        WHERE m.workspace_id = $1 AND m.contact_id = ANY($2::uuid[])`,
      params,
    );
    const [, messages] = await manager.query<[unknown, number]>(
      `UPDATE messages SET ${REDACT_MESSAGE} WHERE workspace_id = $1 AND contact_id = ANY($2::uuid[])`,
      params,
    );
    const [, conversations] = await manager.query<[unknown, number]>(
      `UPDATE conversations SET subject = NULL WHERE workspace_id = $1 AND contact_id = ANY($2::uuid[])`,
      params,
    );
    // Removed, not redacted: a new message from the same number or address starts a fresh contact.
    const [, identities] = await manager.query<[unknown, number]>(
      `DELETE FROM contact_identities WHERE workspace_id = $1 AND contact_id = ANY($2::uuid[])`,
      params,
    );
    // Scores stay as anonymous numbers so survey reports do not change; what the customer wrote goes.
    const [, surveys] = await manager.query<[unknown, number]>(
      `UPDATE surveys SET comment = NULL,
              status = CASE WHEN status = 'scheduled' THEN 'cancelled' ELSE status END,
              status_reason = CASE WHEN status = 'scheduled' THEN 'contact erased' ELSE status_reason END
        WHERE workspace_id = $1 AND contact_id = ANY($2::uuid[])`,
      params,
    );
    await manager.query(
      `UPDATE contact_merges SET source_snapshot = jsonb_build_object('erased', true)
        WHERE workspace_id = $1 AND (source_contact_id = ANY($2::uuid[]) OR target_contact_id = ANY($2::uuid[]))`,
      params,
    );
    // Delivered realtime envelopes carry message bodies until the outbox prunes them.
    await manager.query(
      `DELETE FROM outbox o WHERE o.workspace_id = $1 AND o.kind = 'realtime' AND o.dispatched_at IS NOT NULL
          AND EXISTS (SELECT 1 FROM conversations c WHERE c.workspace_id = $1 AND c.contact_id = ANY($2::uuid[])
                       AND strpos(o.payload::text, c.id::text) > 0)`,
      params,
    );
    await manager.query(
      `UPDATE contacts SET name = NULL, email = NULL, phone = NULL, avatar_url = NULL,
              attributes = '{}'::jsonb, consent = '{}'::jsonb, erased_at = now()
        WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
      params,
    );
    return { messages, identities, conversations, surveys, inboundEvents: inboundEvents.length, files };
  }

  async conversationIdsOf(
    manager: EntityManager,
    workspaceId: string,
    contactIds: string[],
  ): Promise<string[]> {
    const rows: Array<{ id: string }> = await manager.query(
      `SELECT id FROM conversations WHERE workspace_id = $1 AND contact_id = ANY($2::uuid[]) ORDER BY opened_at`,
      [workspaceId, contactIds],
    );
    return rows.map((row) => row.id);
  }

  async labelsByConversation(
    manager: EntityManager,
    conversationIds: string[],
  ): Promise<Map<string, string[]>> {
    const rows: Array<{ conversation_id: string; name: string }> = await manager.query(
      `SELECT cl.conversation_id, l.name FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id
        WHERE cl.conversation_id = ANY($1::uuid[]) ORDER BY l.name`,
      [conversationIds],
    );
    const labels = new Map<string, string[]>();
    for (const row of rows)
      labels.set(row.conversation_id, [...(labels.get(row.conversation_id) ?? []), row.name]);
    return labels;
  }

  /** Inboxes with a retention window, across workspaces (the job runs for all of them). */
  async inboxesWithRetention(): Promise<Array<{ workspaceId: string; inboxId: string; days: number }>> {
    const rows: Array<{ workspace_id: string; id: string; retention_days: number }> =
      await this.tx.manager.query(
        `SELECT workspace_id, id, retention_days FROM inboxes WHERE retention_days IS NOT NULL ORDER BY workspace_id, id`,
      );
    return rows.map((row) => ({ workspaceId: row.workspace_id, inboxId: row.id, days: row.retention_days }));
  }

  /** One bounded transaction: redacts up to `batch` expired messages and raw events of one inbox. */
  redactExpired(workspaceId: string, inboxId: string, before: Date, batch: number): Promise<RetentionBatch> {
    return this.tx.run(async (manager) => {
      const params = [workspaceId, inboxId, before, batch];
      const picked = `SELECT id FROM messages WHERE workspace_id = $1 AND inbox_id = $2 AND redacted_at IS NULL
                         AND created_at < $3 ORDER BY created_at, id LIMIT $4 FOR UPDATE SKIP LOCKED`;
      const files = await this.queueFiles(
        manager,
        workspaceId,
        `SELECT k.key FROM messages m, LATERAL (${STORAGE_KEYS}) k WHERE m.id IN (${picked})`,
        params,
      );
      const [, messages] = await manager.query<[unknown, number]>(
        `UPDATE messages SET ${REDACT_MESSAGE} WHERE id IN (${picked})`,
        params,
      );
      const [, inboundEvents] = await manager.query<[unknown, number]>(
        `UPDATE inbound_events SET payload = '{"redacted": true}'::jsonb, error = NULL, redacted_at = now()
          WHERE id IN (SELECT id FROM inbound_events WHERE workspace_id = $1 AND inbox_id = $2 AND redacted_at IS NULL
                         AND received_at < $3 ORDER BY received_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)`,
        params,
      );
      return { messages, inboundEvents, files };
    });
  }

  /** Up to `limit` files waiting for deletion; `forget` drops them once the files are gone. */
  async pendingFiles(limit: number): Promise<Array<{ id: string; storageKey: string }>> {
    const rows: Array<{ id: string; storage_key: string }> = await this.tx.manager.query(
      `SELECT id::text, storage_key FROM pending_file_deletions ORDER BY id LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({ id: row.id, storageKey: row.storage_key }));
  }

  async forgetFiles(ids: string[]): Promise<void> {
    await this.tx.manager.query(`DELETE FROM pending_file_deletions WHERE id = ANY($1::bigint[])`, [ids]);
  }

  private async queueFiles(
    manager: EntityManager,
    workspaceId: string,
    keysSql: string,
    params: unknown[],
  ): Promise<number> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO pending_file_deletions (workspace_id, storage_key)
       SELECT $1, key FROM (${keysSql}) keys RETURNING id`,
      params,
    );
    return rows.length;
  }

  // ── Export reads (no locks; an export is a snapshot of what it reads, page by page) ─────────

  async exportProfile(workspaceId: string, contactIds: string[]) {
    const params = [workspaceId, contactIds];
    const [contacts, identities, conversations, merges, surveys] = await Promise.all([
      this.tx.manager.query<Array<Record<string, unknown>>>(
        `SELECT id, name, email, phone, avatar_url AS "avatarUrl", attributes, consent,
                merged_into_id AS "mergedIntoId", created_at AS "createdAt", last_activity_at AS "lastActivityAt"
           FROM contacts WHERE workspace_id = $1 AND id = ANY($2::uuid[]) ORDER BY created_at, id`,
        params,
      ),
      this.tx.manager.query<Array<Record<string, unknown>>>(
        `SELECT id, contact_id AS "contactId", kind, value, scope_inbox_id AS "inboxId", verified,
                opted_out_channels AS "optedOutChannels", created_at AS "createdAt", last_seen_at AS "lastSeenAt"
           FROM contact_identities WHERE workspace_id = $1 AND contact_id = ANY($2::uuid[]) ORDER BY created_at, id`,
        params,
      ),
      this.tx.manager.query<Array<Record<string, unknown>>>(
        `SELECT id, contact_id AS "contactId", status, subject, last_channel AS "lastChannel",
                assignee_id AS "assigneeId", team_id AS "teamId", opened_at AS "openedAt",
                first_response_at AS "firstResponseAt", resolved_at AS "resolvedAt", messages_count AS "messagesCount",
                previous_id AS "previousId", merged_into_id AS "mergedIntoId"
           FROM conversations WHERE workspace_id = $1 AND contact_id = ANY($2::uuid[]) ORDER BY opened_at, id`,
        params,
      ),
      this.tx.manager.query<Array<Record<string, unknown>>>(
        `SELECT id, target_contact_id AS "targetContactId", source_contact_id AS "sourceContactId",
                merged_at AS "mergedAt", unmerged_at AS "unmergedAt"
           FROM contact_merges
          WHERE workspace_id = $1 AND (target_contact_id = ANY($2::uuid[]) OR source_contact_id = ANY($2::uuid[]))
          ORDER BY merged_at, id`,
        params,
      ),
      this.tx.manager.query<Array<Record<string, unknown>>>(
        `SELECT id, kind, conversation_id AS "conversationId", campaign_id AS "campaignId", status,
                status_reason AS "statusReason", channel, score, comment, sent_at AS "sentAt",
                answered_at AS "answeredAt", created_at AS "createdAt"
           FROM surveys WHERE workspace_id = $1 AND contact_id = ANY($2::uuid[]) ORDER BY created_at, id`,
        params,
      ),
    ]);
    return { contacts, identities, conversations, merges, surveys };
  }

  /** One page of the contacts' messages, oldest first, after the keyset `after` (sort text, id). */
  async exportMessages(
    workspaceId: string,
    contactIds: string[],
    options: { notes: boolean; after: [string, string] | null; limit: number },
  ): Promise<Array<ExportedMessageRow>> {
    const params: unknown[] = [workspaceId, contactIds, options.limit];
    let keyset = '';
    if (options.after) {
      params.push(options.after[0], options.after[1]);
      keyset = `AND (m.created_at, m.id) > ($4::timestamptz, $5::uuid)`;
    }
    return this.tx.manager.query(
      `SELECT m.id, m.conversation_id AS "conversationId", m.inbox_id AS "inboxId", m.channel, m.direction,
              m.sender_type AS "senderType", m.author_id AS "authorId", m.kind, m.body, m.html, m.attachments,
              m.metadata, m.status, m.error_message AS "error", m.created_at AS "createdAt", m.sent_at AS "sentAt",
              m.delivered_at AS "deliveredAt", m.read_at AS "readAt", m.created_at::text AS "sortKey"
         FROM messages m
        WHERE m.workspace_id = $1 AND m.contact_id = ANY($2::uuid[]) ${options.notes ? '' : "AND m.kind <> 'note'"} ${keyset}
        ORDER BY m.created_at, m.id LIMIT $3`,
      params,
    );
  }

  /** One page of the conversations' event log, in log order after `afterSeq`. */
  exportEvents(
    workspaceId: string,
    conversationIds: string[],
    afterSeq: string,
    limit: number,
  ): Promise<Array<Record<string, unknown> & { seq: string }>> {
    return this.tx.manager.query(
      `SELECT e.seq::text AS seq, e.id, e.conversation_id AS "conversationId", e.type, e.actor_type AS "actorType",
              e.actor_id AS "actorId", e.channel, e.inbox_id AS "inboxId", e.message_id AS "messageId", e.data,
              e.occurred_at AS "occurredAt"
         FROM conversation_events e
        WHERE e.workspace_id = $1 AND e.conversation_id = ANY($2::uuid[]) AND e.seq > $3::bigint
        ORDER BY e.seq LIMIT $4`,
      [workspaceId, conversationIds, afterSeq, limit],
    );
  }
}

export interface ExportedMessageRow extends Record<string, unknown> {
  id: string;
  kind: string;
  attachments: Array<{
    name: string;
    contentType: string;
    size: number;
    storageKey?: string;
    error?: string;
  }>;
  metadata: Record<string, unknown>;
  sortKey: string;
}
