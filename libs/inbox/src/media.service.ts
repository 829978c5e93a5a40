import { Injectable, Logger } from '@nestjs/common';
import { AttachmentStore, GraphClient, MediaError } from '@parley/channels';
import { IsNull } from 'typeorm';
import { SecretCipher, TransactionRunner } from '@parley/database';
import { OutboxRelay, OutboxRepository } from '@parley/jobs';
import { Effects } from './effects.js';
import { Contact, ContactIdentity, Inbox, Message, type Attachment } from './inbox.entities.js';
import { InboxError } from './inbox.errors.js';
import { toMessageView } from './views.js';

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'video/mp4': 'mp4',
  'application/pdf': 'pdf',
  'text/vcard': 'vcf',
};

/** Provider media → attachment store → the message's attachments, then a live update. */
@Injectable()
export class MediaService {
  private readonly logger = new Logger(MediaService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly store: AttachmentStore,
    private readonly cipher: SecretCipher,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly graph: GraphClient,
  ) {}

  /**
   * Fetches the media a message still waits for. A retryable failure throws (the queue retries)
   * until the last attempt, which records the reason on the attachment instead.
   */
  async fetchPending(workspaceId: string, messageId: string, lastAttempt: boolean): Promise<void> {
    const message = await this.tx.manager.findOne(Message, { where: { workspaceId, id: messageId } });
    const pending = (message?.metadata.pendingMedia ?? []) as Array<{ url: string; contentType: string }>;
    if (!message?.inboxId || pending.length === 0) return;
    const inbox = await this.tx.manager.findOne(Inbox, {
      where: { workspaceId, id: message.inboxId },
      select: { id: true, config: true, secrets: true },
    });
    if (!inbox) throw InboxError.notFound('Inbox');
    const secrets = this.cipher.decryptJson<{ authToken?: string }>(inbox.secrets);
    const accountSid = typeof inbox.config.accountSid === 'string' ? inbox.config.accountSid : '';
    const auth =
      accountSid && secrets.authToken ? { username: accountSid, password: secrets.authToken } : undefined;

    const attachments: Attachment[] = [];
    const offset = message.attachments.length;
    for (const [index, media] of pending.entries()) {
      const name = `attachment-${offset + index + 1}.${EXTENSIONS[media.contentType] ?? 'bin'}`;
      const url = `/api/v1/messages/${message.id}/attachments/${offset + index}`;
      try {
        const stored = await this.store.download(workspaceId, media.url, auth);
        attachments.push({
          name,
          contentType: media.contentType || stored.contentType,
          size: stored.size,
          url,
          storageKey: stored.storageKey,
        });
      } catch (error) {
        const failure = error instanceof MediaError ? error : new MediaError((error as Error).message, true);
        if (failure.retryable && !lastAttempt) {
          // The retry downloads everything again: drop what this attempt already stored.
          for (const done of attachments) if (done.storageKey) await this.store.remove(done.storageKey);
          throw failure;
        }
        this.logger.warn(`media ${index} of message ${message.id} not fetched: ${failure.message}`);
        attachments.push({ name, contentType: media.contentType, size: 0, url: '', error: failure.message });
      }
    }
    await this.tx.run(async (manager) => {
      const locked = await manager.findOne(Message, {
        where: { id: message.id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!locked?.metadata.pendingMedia) return;
      const { pendingMedia: _done, ...metadata } = locked.metadata;
      locked.metadata = metadata;
      locked.attachments = [...locked.attachments, ...attachments];
      const saved = await manager.save(locked);
      await new Effects(workspaceId).messageUpdated(toMessageView(saved)).flush(manager, this.outbox);
    });
    this.relay.kick();
  }

  /**
   * Names a Messenger/Instagram contact from the Graph profile API (once; cached on the contact).
   * Failure is not an error: the contact keeps a readable fallback name.
   */
  async fetchProfile(workspaceId: string, contactId: string, identityId: string): Promise<void> {
    const identity = await this.tx.manager.findOne(ContactIdentity, {
      where: { workspaceId, id: identityId, contactId },
    });
    const contact = await this.tx.manager.findOne(Contact, { where: { workspaceId, id: contactId } });
    if (!identity?.scopeInboxId || !contact || contact.name) return;
    const inbox = await this.tx.manager.findOne(Inbox, {
      where: { workspaceId, id: identity.scopeInboxId },
      select: { id: true, channel: true, secrets: true },
    });
    const token = this.cipher.decryptJson<{ pageAccessToken?: string }>(
      inbox?.secrets ?? null,
    ).pageAccessToken;
    let name = `${inbox?.channel === 'instagram' ? 'Instagram' : 'Facebook'} user ${identity.value.slice(-4)}`;
    let avatarUrl: string | null = null;
    if (token && inbox) {
      const fields =
        inbox.channel === 'instagram'
          ? ['name', 'username', 'profile_pic']
          : ['first_name', 'last_name', 'profile_pic'];
      try {
        const profile = await this.graph.profile(identity.value, token, fields);
        const text = (key: string) => (typeof profile[key] === 'string' ? profile[key] : '');
        name =
          [text('first_name'), text('last_name')].filter(Boolean).join(' ') ||
          text('name') ||
          text('username') ||
          name;
        avatarUrl = /^https:\/\//.test(text('profile_pic')) ? text('profile_pic') : null;
      } catch (error) {
        this.logger.warn(
          `profile of ${identity.kind} ${identity.value.slice(-4)} not available: ${(error as Error).message}`,
        );
      }
    }
    await this.tx.manager.update(
      Contact,
      { id: contact.id, name: IsNull() },
      { name, ...(avatarUrl ? { avatarUrl } : {}) },
    );
  }

  /** An attachment's file, checked against the workspace. */
  async open(workspaceId: string, messageId: string, index: number) {
    const message = await this.tx.manager.findOne(Message, { where: { workspaceId, id: messageId } });
    const attachment = message?.attachments[index];
    if (!attachment?.storageKey) throw InboxError.notFound('Attachment');
    const file = await this.store.open(attachment.storageKey);
    return { ...file, name: attachment.name, contentType: attachment.contentType };
  }
}
