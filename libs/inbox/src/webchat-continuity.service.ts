import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ChannelSenders } from '@parley/channels';
import { SecretCipher, TransactionRunner } from '@parley/database';
import { DirectoryRepository } from './directory.repository.js';
import { EmailThreads } from './email-threads.js';
import { Contact, Inbox, Message } from './inbox.entities.js';
import { readWebchatConfig } from './webchat-config.js';
import { WebchatService } from './webchat.service.js';

/** Replies older than this are not emailed any more (a visitor gone for a week has moved on). */
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const BATCH = 200;

interface DueRow {
  id: string;
  workspace_id: string;
  conversation_id: string;
  contact_id: string;
  inbox_id: string;
}

/**
 * Continuity by email: agent replies a web chat visitor has not seen (not `read`) within the
 * inbox's `continuityAfterMinutes` go, together, to the email the visitor left, through the email
 * inbox the web chat inbox names. The mail carries the conversation's reply token, so the answer
 * threads back into the same conversation. Each reply is claimed once (metadata.continuity), so
 * concurrent sweeps never send it twice.
 */
@Injectable()
export class WebchatContinuityService {
  private readonly logger = new Logger(WebchatContinuityService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly cipher: SecretCipher,
    private readonly senders: ChannelSenders,
    private readonly threads: EmailThreads,
    private readonly directory: DirectoryRepository,
    private readonly webchat: WebchatService,
  ) {}

  /** Emails every conversation's unseen replies that are due at `now`; returns the number of emails. */
  async sendDue(now = new Date()): Promise<number> {
    const inboxes = await this.tx.manager
      .createQueryBuilder(Inbox, 'inbox')
      .where(`inbox.channel = 'webchat' AND inbox.enabled AND inbox.config ? 'continuityEmailInboxId'`)
      .getMany();
    let sent = 0;
    for (const inbox of inboxes) {
      const config = readWebchatConfig(inbox.config);
      if (!config.continuityEmailInboxId) continue;
      const cutoff = new Date(now.getTime() - config.continuityAfterMinutes * 60_000);
      // Claim the due replies first: a reply is emailed at most once, whoever sweeps.
      const [claimed] = await this.tx.manager.query<[DueRow[], number]>(
        `UPDATE messages SET metadata = metadata || jsonb_build_object('continuity', jsonb_build_object('claimedAt', $4::text))
            WHERE id IN (
              SELECT id FROM messages
               WHERE workspace_id = $1 AND inbox_id = $2 AND direction = 'out' AND kind IN ('text', 'survey')
                 AND status IN ('sent', 'delivered') AND created_at <= $3 AND created_at > $5
                 AND NOT (metadata ? 'continuity')
               ORDER BY created_at LIMIT ${BATCH})
              -- Rechecked on the newest row version when a concurrent sweep claimed it first.
              AND NOT (metadata ? 'continuity')
            RETURNING id, workspace_id, conversation_id, contact_id, inbox_id`,
        [inbox.workspaceId, inbox.id, cutoff, now.toISOString(), new Date(now.getTime() - MAX_AGE_MS)],
      );
      const byConversation = new Map<string, DueRow[]>();
      for (const row of claimed)
        byConversation.set(row.conversation_id, [...(byConversation.get(row.conversation_id) ?? []), row]);
      for (const rows of byConversation.values()) {
        if (await this.email(inbox, config.continuityEmailInboxId, rows)) sent += 1;
      }
    }
    return sent;
  }

  private async email(webchat: Inbox, emailInboxId: string, rows: DueRow[]): Promise<boolean> {
    const { workspace_id: workspaceId, contact_id: contactId, conversation_id: conversationId } = rows[0];
    const ids = rows.map((row) => row.id);
    const mark = (outcome: Record<string, unknown>) =>
      this.tx.manager.query(
        `UPDATE messages SET metadata = jsonb_set(metadata, '{continuity}', metadata->'continuity' || $2::jsonb)
          WHERE id = ANY($1::uuid[])`,
        [ids, JSON.stringify(outcome)],
      );
    const contact = await this.tx.manager.findOne(Contact, { where: { workspaceId, id: contactId } });
    const address = this.webchat.continuityAddress(contact);
    const emailInbox = await this.tx.manager.findOne(Inbox, {
      where: { workspaceId, id: emailInboxId, channel: 'email' },
      select: {
        id: true,
        name: true,
        channel: true,
        config: true,
        secrets: true,
        enabled: true,
        workspaceId: true,
      },
    });
    if (!address || !emailInbox?.enabled) {
      await mark({ skipped: address ? 'email inbox missing or disabled' : 'no email address' });
      return false;
    }
    const messages = await this.tx.manager.find(Message, {
      where: ids.map((id) => ({ workspaceId, id })),
      order: { createdAt: 'ASC' },
    });
    const lines: string[] = [];
    for (const message of messages) {
      const author = message.authorId ? await this.directory.userName(message.authorId) : null;
      lines.push(`${author ?? webchat.name}:`, message.body, '');
    }
    lines.push(`Answer this email to continue the conversation, or come back to the chat on our website.`);
    try {
      const result = await this.senders.for('email').send({
        channel: 'email',
        inboxId: emailInbox.id,
        config: emailInbox.config,
        secrets: this.cipher.decryptJson(emailInbox.secrets),
        messageId: randomUUID(),
        conversationId,
        contactId,
        to: { kind: 'email', value: address },
        body: lines.join('\n'),
        attachments: messages.flatMap((message) => message.attachments),
        author: { id: null, name: webchat.name, type: 'system' },
        createdAt: new Date().toISOString(),
        email: {
          subject: `New reply from ${webchat.name}`,
          inReplyTo: null,
          references: [],
          replyToken: this.threads.tokenFor(conversationId),
          automated: false,
        },
      });
      await mark({
        emailedAt: new Date().toISOString(),
        to: address,
        emailInboxId,
        providerId: result.providerId,
      });
      return true;
    } catch (error) {
      // Best effort: the replies stay in the chat; a failed email is noted, not retried forever.
      this.logger.warn(
        `continuity email for conversation ${conversationId} failed: ${(error as Error).message}`,
      );
      await mark({ failed: (error as Error).message });
      return false;
    }
  }
}
