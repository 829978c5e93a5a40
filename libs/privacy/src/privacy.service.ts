import { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { In } from 'typeorm';
import { AttachmentStore } from '@parley/channels';
import { AuditLogRepository, TransactionRunner } from '@parley/database';
import {
  Contact,
  ContactsService,
  Conversation,
  Effects,
  erasedError,
  InboxError,
  InboxErrorCode,
  toConversationView,
} from '@parley/inbox';
import { OutboxRelay, OutboxRepository } from '@parley/jobs';
import { rooms } from '@parley/realtime';
import { PrivacyRepository, type ErasureCounts, type ExportedMessageRow } from './privacy.repository.js';
import { safeFileName, TAR_END, tarEntry, tarHeader, tarPadding } from './tar-writer.js';

/** Who asked, as the audit log records it. */
export interface PrivacyActor {
  type: 'user' | 'api_key';
  id: string | null;
}

export interface ContactExport {
  fileName: string;
  stream: Readable;
}

export interface ExportCounts {
  contacts: number;
  identities: number;
  conversations: number;
  messages: number;
  notes: number;
  events: number;
  surveys: number;
  files: number;
  missingFiles: number;
  bytes: number;
}

/** Messages and events per JSON file of the archive: bounds memory whatever the contact's history. */
const PAGE = 500;
export const EXPORT_FORMAT = 'parley.contact-export/1';

interface PendingFile {
  storageKey: string;
  path: string;
}

/** Subject access (export) and erasure of one contact, both audited. */
@Injectable()
export class PrivacyService {
  private readonly logger = new Logger(PrivacyService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly repository: PrivacyRepository,
    private readonly contacts: ContactsService,
    private readonly store: AttachmentStore,
    private readonly audit: AuditLogRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
  ) {}

  /**
   * A streamed ustar archive: contact.json (profile, identities, merged contacts, conversations,
   * surveys), messages/NNNN.json and events/NNNN.json pages, attachments/<message>/<file>, and
   * manifest.json with the counts last. Checked before the first byte, audited when it ends.
   */
  async exportContact(
    workspaceId: string,
    actor: PrivacyActor,
    contactId: string,
    options: { notes: boolean },
  ): Promise<ContactExport> {
    await this.contacts.requireLive(workspaceId, contactId);
    const family = await this.repository.familyOf(workspaceId, contactId);
    return {
      fileName: `contact-${contactId}.tar`,
      stream: Readable.from(this.archive(workspaceId, actor, contactId, family, options)),
    };
  }

  private async *archive(
    workspaceId: string,
    actor: PrivacyActor,
    contactId: string,
    family: string[],
    options: { notes: boolean },
  ): AsyncGenerator<Buffer> {
    const now = new Date();
    const counts: ExportCounts = {
      contacts: family.length,
      identities: 0,
      conversations: 0,
      messages: 0,
      notes: 0,
      events: 0,
      surveys: 0,
      files: 0,
      missingFiles: 0,
      bytes: 0,
    };
    const json = (path: string, value: unknown): Buffer[] => {
      const parts = tarEntry(path, Buffer.from(JSON.stringify(value, null, 2)), now);
      counts.bytes += parts.reduce((sum, part) => sum + part.length, 0);
      return parts;
    };
    let completed = false;
    try {
      const profile = await this.repository.exportProfile(workspaceId, family);
      const [contact, ...mergedContacts] = profile.contacts;
      counts.identities = profile.identities.length;
      counts.conversations = profile.conversations.length;
      counts.surveys = profile.surveys.length;
      yield* json('contact.json', {
        format: EXPORT_FORMAT,
        exportedAt: now.toISOString(),
        internalNotesIncluded: options.notes,
        contact,
        mergedContacts,
        identities: profile.identities,
        merges: profile.merges,
        conversations: profile.conversations,
        surveys: profile.surveys,
        files: 'messages/*.json and events/*.json hold the history in pages; attachments/ holds the files',
      });

      const files: PendingFile[] = [];
      let after: [string, string] | null = null;
      for (let page = 1; ; page += 1) {
        const rows: ExportedMessageRow[] = await this.repository.exportMessages(workspaceId, family, {
          notes: options.notes,
          after,
          limit: PAGE,
        });
        if (!rows.length) break;
        after = [rows[rows.length - 1].sortKey, rows[rows.length - 1].id];
        counts.messages += rows.length;
        counts.notes += rows.filter((row) => row.kind === 'note').length;
        yield* json(
          `messages/${String(page).padStart(4, '0')}.json`,
          rows.map((row) => exportedMessage(row, files)),
        );
        if (rows.length < PAGE) break;
      }

      const conversationIds = profile.conversations.map((c) => c.id as string);
      let seq = '0';
      for (let page = 1; conversationIds.length; page += 1) {
        const rows = await this.repository.exportEvents(workspaceId, conversationIds, seq, PAGE * 2);
        if (!rows.length) break;
        seq = rows[rows.length - 1].seq;
        counts.events += rows.length;
        yield* json(`events/${String(page).padStart(4, '0')}.json`, rows);
        if (rows.length < PAGE * 2) break;
      }

      const missing: string[] = [];
      for (const file of files) {
        const opened = await this.store.open(file.storageKey).catch(() => null);
        if (!opened) {
          missing.push(file.path);
          continue;
        }
        yield tarHeader(file.path, opened.size, now);
        let written = 0;
        for await (const chunk of opened.stream as AsyncIterable<Buffer>) {
          // The header declared the size; a file that grew meanwhile is cut there.
          const piece = chunk.subarray(0, Math.max(0, opened.size - written));
          written += piece.length;
          if (piece.length) yield piece;
        }
        if (written < opened.size) yield Buffer.alloc(opened.size - written, 0);
        yield tarPadding(opened.size);
        counts.files += 1;
        counts.bytes += 512 + opened.size + tarPadding(opened.size).length;
      }
      counts.missingFiles = missing.length;
      yield* json('manifest.json', { format: EXPORT_FORMAT, contactId, counts, missingFiles: missing });
      yield TAR_END;
      completed = true;
    } finally {
      await this.audit
        .record({
          workspaceId,
          actorType: actor.type,
          actorId: actor.id,
          action: 'contact.exported',
          targetType: 'contact',
          targetId: contactId,
          data: { ...counts, internalNotesIncluded: options.notes, completed },
        })
        .catch((error: Error) => this.logger.error(`audit of export ${contactId} failed: ${error.message}`));
    }
  }

  /**
   * Erases a contact (and the contacts merged into it) in one transaction: personal data goes,
   * events, metrics and survey scores stay. Files are deleted by a job after the commit.
   */
  async eraseContact(
    workspaceId: string,
    actor: PrivacyActor,
    contactId: string,
    confirm: string,
  ): Promise<{ contactId: string; erasedAt: string; counts: ErasureCounts }> {
    const result = await this.tx.run(async (manager) => {
      const family = await this.repository.lockContactFamily(manager, workspaceId, contactId);
      const contact = family.length ? await manager.findOneBy(Contact, { workspaceId, id: contactId }) : null;
      if (!contact) throw InboxError.notFound('Contact');
      if (confirm !== contactId) {
        throw new InboxError(
          InboxErrorCode.InvalidInput,
          'confirm must repeat the id of the contact to erase',
        );
      }
      if (contact.erasedAt) throw erasedError(contact.erasedAt);
      if (contact.mergedIntoId) {
        throw new InboxError(
          InboxErrorCode.InvalidState,
          `This contact was merged into ${contact.mergedIntoId}; erase that contact`,
        );
      }
      if (await this.repository.unresolvedConversations(manager, workspaceId, family)) {
        throw new InboxError(
          InboxErrorCode.InvalidState,
          'The contact has an unresolved conversation; resolve it before erasing',
        );
      }
      const conversationIds = await this.repository.conversationIdsOf(manager, workspaceId, family);
      const counts = await this.repository.erase(manager, workspaceId, family);
      const effects = new Effects(workspaceId);
      const erasedAt = (await manager.findOneByOrFail(Contact, { workspaceId, id: contactId })).erasedAt;
      const labels = await this.repository.labelsByConversation(manager, conversationIds);
      const conversations = conversationIds.length
        ? await manager.findBy(Conversation, { workspaceId, id: In(conversationIds) })
        : [];
      for (const conversation of conversations) {
        effects.conversationUpdated(toConversationView(conversation, labels.get(conversation.id) ?? []));
      }
      effects.realtime('contact.updated', [rooms.workspace(workspaceId)], {
        contactId,
        erasedAt: erasedAt?.toISOString() ?? null,
      });
      if (counts.files)
        effects.job({ name: 'privacy.purge_files', data: {}, jobId: `purge-erase-${contactId}` });
      await effects.flush(manager, this.outbox);
      await this.audit.record(
        {
          workspaceId,
          actorType: actor.type,
          actorId: actor.id,
          action: 'contact.erased',
          targetType: 'contact',
          targetId: contactId,
          data: { ...counts, contacts: family.length, mergedContactIds: family.slice(1) },
        },
        manager,
      );
      return { contactId, erasedAt: (erasedAt ?? new Date()).toISOString(), counts };
    });
    this.relay.kick();
    return result;
  }

  /** Deletes queued files from the store; safe to run twice (a missing file counts as deleted). */
  async purgeFiles(): Promise<number> {
    let purged = 0;
    for (;;) {
      const batch = await this.repository.pendingFiles(PAGE);
      if (!batch.length) return purged;
      for (const file of batch) await this.store.remove(file.storageKey).catch(() => undefined);
      await this.repository.forgetFiles(batch.map((file) => file.id));
      purged += batch.length;
    }
  }
}

/** A message as the subject sees it: no storage keys, attachments pointing at their archive path. */
function exportedMessage(row: ExportedMessageRow, files: PendingFile[]): Record<string, unknown> {
  const { sortKey: _sortKey, attachments, metadata, ...message } = row;
  const email = metadata.email as Record<string, unknown> | undefined;
  const exported: Record<string, unknown> = {
    ...message,
    internal: row.kind === 'note',
    attachments: attachments.map((attachment, index) => {
      const view: Record<string, unknown> = {
        name: attachment.name,
        contentType: attachment.contentType,
        size: attachment.size,
        ...(attachment.error ? { error: attachment.error } : {}),
      };
      if (attachment.storageKey) {
        view.file = `attachments/${row.id}/${index}-${safeFileName(attachment.name, 'file')}`;
        files.push({ storageKey: attachment.storageKey, path: view.file as string });
      }
      return view;
    }),
    metadata: email ? { ...metadata, email: { ...email, rawKey: undefined } } : metadata,
  };
  if (typeof email?.rawKey === 'string') {
    exported.rawSource = `attachments/${row.id}/original.eml`;
    files.push({ storageKey: email.rawKey, path: exported.rawSource as string });
  }
  return exported;
}
