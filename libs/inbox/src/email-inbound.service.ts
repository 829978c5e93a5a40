import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  AttachmentStore,
  baseSubject,
  EmailParseError,
  parseEmail,
  readEmailConfig,
  sanitizeEmailHtml,
  trimReferences,
  type AutomaticVerdict,
  type EmailAddress,
  type ParsedEmail,
} from '@parley/channels';
import { AppConfig } from '@parley/config';
import { storable, TransactionRunner } from '@parley/database';
import { DeliveryService } from './delivery.service.js';
import { EmailThreads } from './email-threads.js';
import { InboundEventRepository } from './inbound-event.repository.js';
import { Message, type Attachment, type Inbox } from './inbox.entities.js';
import { InboxError, InboxErrorCode } from './inbox.errors.js';
import { IngestService, type IngestOutcome } from './ingest.service.js';

export type EmailVia = 'imap' | 'webhook';

/** Mail that cannot be taken as it is; `too_large` and `unreadable` never succeed on a retry. */
export class EmailRejectedError extends Error {
  constructor(
    message: string,
    readonly reason: 'too_large' | 'unreadable',
  ) {
    super(message);
    this.name = 'EmailRejectedError';
  }
}

export interface EmailReceipt {
  outcome: IngestOutcome | 'automatic' | 'unthreaded';
  externalId: string;
  messageId: string | null;
  conversationId: string | null;
  automatic: AutomaticVerdict | null;
  /** A bounce that failed one of our outbound messages. */
  failedMessageId: string | null;
}

/** The original of an inbound email, for an agent who wants more than the visible text. */
export interface EmailOriginalView {
  messageId: string;
  subject: string;
  from: EmailAddress | null;
  to: EmailAddress[];
  cc: EmailAddress[];
  date: string | null;
  headers: { messageId: string | null; inReplyTo: string | null; references: string[] };
  visibleText: string;
  text: string;
  /** Sanitized for display: no script, no remote images; inline images point at their attachment. */
  html: string | null;
  automatic: AutomaticVerdict | null;
  rawSize: number;
}

const MAX_BODY = 65_536;
const MAX_HTML = 1024 * 1024;

/**
 * One pipeline for every inbound email, whatever brought it (IMAP, the MIME webhook): size
 * check, parse, dedupe by Message-ID (a hash when missing), keep the raw MIME and the parts,
 * thread, then ingest a customer message or record an automatic one (a bounce fails the
 * message it returns).
 */
@Injectable()
export class EmailInboundService {
  private readonly logger = new Logger(EmailInboundService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly config: AppConfig,
    private readonly store: AttachmentStore,
    private readonly threads: EmailThreads,
    private readonly ingest: IngestService,
    private readonly delivery: DeliveryService,
    private readonly journal: InboundEventRepository,
  ) {}

  get maxBytes(): number {
    return this.config.env.EMAIL_MAX_BYTES;
  }

  async receive(inbox: Inbox, raw: Buffer, via: EmailVia): Promise<EmailReceipt> {
    if (raw.length > this.maxBytes) {
      throw new EmailRejectedError(
        `The message is ${raw.length} bytes, over the ${this.maxBytes}-byte limit (EMAIL_MAX_BYTES)`,
        'too_large',
      );
    }
    const own = readEmailConfig(inbox.config);
    let parsed: ParsedEmail;
    try {
      // Header and body text may carry NUL or lone surrogates, which PostgreSQL cannot hold.
      parsed = storable(await parseEmail(raw, { ownAddresses: own ? [own.address] : [] }));
    } catch (error) {
      if (error instanceof EmailParseError) throw new EmailRejectedError(error.message, 'unreadable');
      throw error;
    }
    const externalId =
      parsed.messageId && parsed.messageId.length <= 255 ? parsed.messageId : `sha256:${parsed.fingerprint}`;
    const base = {
      externalId,
      automatic: parsed.automatic,
      failedMessageId: null as string | null,
    };
    const stored = await this.tx.manager.findOne(Message, {
      where: { workspaceId: inbox.workspaceId, inboxId: inbox.id, externalId },
      select: { id: true, conversationId: true },
    });
    if (stored)
      return { ...base, outcome: 'duplicate', messageId: stored.id, conversationId: stored.conversationId };
    if (!parsed.from && !parsed.automatic)
      throw new InboxError(InboxErrorCode.InvalidInput, 'The message has no From address');

    await this.journal.journal(inbox.workspaceId, inbox.id, 'email', externalId, {
      via,
      size: raw.length,
      messageId: parsed.messageId,
      from: parsed.from?.address ?? null,
      subject: parsed.subject,
      automatic: parsed.automatic,
    });
    const messageId = randomUUID();
    const files: string[] = [];
    try {
      const rawFile = await this.store.put(inbox.workspaceId, raw, 'message/rfc822');
      files.push(rawFile.storageKey);
      const attachments = await this.storeAttachments(inbox.workspaceId, messageId, parsed, files);
      const thread = await this.threads.find(
        inbox.workspaceId,
        parsed,
        parsed.report?.originalMessageId ?? null,
      );
      const metadata = {
        email: {
          messageId: parsed.messageId,
          inReplyTo: parsed.inReplyTo,
          references: trimReferences(parsed.references, 20),
          subject: parsed.subject,
          from: parsed.from,
          to: parsed.to.slice(0, 50),
          cc: parsed.cc.slice(0, 50),
          date: parsed.date?.toISOString() ?? null,
          via,
          rawKey: rawFile.storageKey,
          rawSize: raw.length,
          quoteStripped: parsed.quoteStripped,
          threadedBy: thread?.via ?? null,
        },
      };
      const html = parsed.html && parsed.html.length <= MAX_HTML ? parsed.html : null;
      let receipt: EmailReceipt;
      if (parsed.automatic) {
        const failedMessageId = await this.applyBounce(inbox, parsed);
        const result = await this.ingest.recordAutomatic({
          workspaceId: inbox.workspaceId,
          inboxId: inbox.id,
          externalId,
          messageId,
          sender: { kind: 'email', value: parsed.from?.address ?? 'mailer-daemon@invalid.invalid' },
          conversationId: thread?.conversationId ?? null,
          body: (parsed.visibleText || parsed.subject).slice(0, MAX_BODY),
          html,
          attachments,
          metadata: {
            ...metadata,
            auto: parsed.automatic.kind,
            autoReason: parsed.automatic.reason,
            ...(parsed.report ? { deliveryReport: parsed.report } : {}),
          },
        });
        receipt = {
          ...base,
          failedMessageId,
          outcome: result.outcome === 'stored' ? 'automatic' : result.outcome,
          messageId: result.message?.id ?? null,
          conversationId: result.message?.conversationId ?? null,
        };
      } else {
        const from = parsed.from as EmailAddress;
        const body =
          parsed.visibleText.length > MAX_BODY ? parsed.visibleText.slice(0, MAX_BODY) : parsed.visibleText;
        const result = await this.ingest.ingest({
          workspaceId: inbox.workspaceId,
          inboxId: inbox.id,
          externalId,
          messageId,
          identities: [{ kind: 'email', value: from.address }],
          contactName: from.name,
          body: body || (attachments.length ? '' : parsed.subject),
          html,
          subject: baseSubject(parsed.subject) || null,
          attachments,
          metadata,
          threadContactId: thread?.contactId ?? null,
        });
        receipt = {
          ...base,
          outcome: result.outcome,
          messageId: result.message.id,
          conversationId: result.conversation.id,
        };
      }
      if (receipt.outcome === 'duplicate' || receipt.outcome === 'unthreaded') await this.removeFiles(files);
      await this.journal.markProcessed(
        inbox.workspaceId,
        inbox.id,
        externalId,
        receipt.outcome === 'unthreaded' ? 'automatic mail outside any conversation: not stored' : null,
      );
      return receipt;
    } catch (error) {
      await this.removeFiles(files);
      await this.journal
        .markProcessed(inbox.workspaceId, inbox.id, externalId, (error as Error).message)
        .catch(() => undefined);
      throw error;
    }
  }

  /** Records a message refused before parsing (too large), so the journal says what happened. */
  async recordRefused(
    inbox: Inbox,
    externalId: string,
    reason: string,
    facts: Record<string, unknown>,
  ): Promise<void> {
    await this.journal.journal(inbox.workspaceId, inbox.id, 'email', externalId, facts);
    await this.journal.markProcessed(inbox.workspaceId, inbox.id, externalId, reason);
  }

  /** The original email behind a message: full text, sanitized HTML, headers. */
  async original(workspaceId: string, messageId: string): Promise<EmailOriginalView> {
    const { message, raw } = await this.rawOf(workspaceId, messageId);
    const parsed = await parseEmail(raw);
    const inline: Record<string, string> = {};
    message.attachments.forEach((attachment, index) => {
      if (attachment.contentId && attachment.storageKey)
        inline[attachment.contentId] = `/api/v1/messages/${message.id}/attachments/${index}`;
    });
    return {
      messageId: message.id,
      subject: parsed.subject,
      from: parsed.from,
      to: parsed.to,
      cc: parsed.cc,
      date: parsed.date?.toISOString() ?? null,
      headers: { messageId: parsed.messageId, inReplyTo: parsed.inReplyTo, references: parsed.references },
      visibleText: message.body,
      text: parsed.text,
      html: parsed.html ? sanitizeEmailHtml(parsed.html, inline) : null,
      automatic: parsed.automatic,
      rawSize: raw.length,
    };
  }

  /** The raw MIME source as received. */
  async openRaw(workspaceId: string, messageId: string) {
    const message = await this.tx.manager.findOne(Message, { where: { workspaceId, id: messageId } });
    const key = rawKeyOf(message);
    if (!message || !key) throw InboxError.notFound('Original email');
    return this.store.open(key);
  }

  private async rawOf(workspaceId: string, messageId: string): Promise<{ message: Message; raw: Buffer }> {
    const message = await this.tx.manager.findOne(Message, { where: { workspaceId, id: messageId } });
    const key = rawKeyOf(message);
    if (!message || !key) throw InboxError.notFound('Original email');
    const file = await this.store.open(key);
    const chunks: Buffer[] = [];
    for await (const chunk of file.stream) chunks.push(chunk as Buffer);
    return { message, raw: Buffer.concat(chunks) };
  }

  /** A DSN that reports a permanent failure marks the outbound message it returns as failed. */
  private async applyBounce(inbox: Inbox, parsed: ParsedEmail): Promise<string | null> {
    const report = parsed.report;
    const original =
      report?.originalMessageId ?? (parsed.automatic?.kind === 'bounce' ? parsed.inReplyTo : null);
    if (!report?.failed || !original) return null;
    const message = await this.threads.findOutbound(inbox.workspaceId, original);
    if (!message) return null;
    const detail = [report.status, report.diagnostic].filter(Boolean).join(' ');
    await this.delivery.applyStatus(inbox.workspaceId, message.id, 'failed', {
      code: 'bounced',
      message:
        `Bounced${report.recipient ? ` by ${report.recipient}` : ''}: ${detail || 'delivery failed'}`.slice(
          0,
          1000,
        ),
    });
    this.logger.log(`bounce for ${message.id} (${original}): ${detail}`);
    return message.id;
  }

  /** Parts go to the attachment store, each up to MEDIA_MAX_BYTES; a larger one is listed with the reason. */
  private async storeAttachments(
    workspaceId: string,
    messageId: string,
    parsed: ParsedEmail,
    files: string[],
  ): Promise<Attachment[]> {
    const limit = this.config.env.MEDIA_MAX_BYTES;
    const attachments: Attachment[] = [];
    for (const [index, part] of parsed.attachments.slice(0, 100).entries()) {
      const common = {
        name: part.filename.slice(0, 255),
        contentType: part.contentType,
        size: part.size,
        ...(part.contentId ? { contentId: part.contentId } : {}),
        ...(part.inline ? { inline: true } : {}),
      };
      if (part.size > limit) {
        attachments.push({
          ...common,
          url: '',
          error: `over the ${limit}-byte attachment limit; kept in the original email`,
        });
        continue;
      }
      const file = await this.store.put(workspaceId, part.content, part.contentType);
      files.push(file.storageKey);
      attachments.push({
        ...common,
        url: `/api/v1/messages/${messageId}/attachments/${index}`,
        storageKey: file.storageKey,
      });
    }
    return attachments;
  }

  private async removeFiles(keys: string[]): Promise<void> {
    for (const key of keys) await this.store.remove(key).catch(() => undefined);
  }
}

function rawKeyOf(message: Message | null): string | null {
  const email = message?.metadata.email as { rawKey?: unknown } | undefined;
  return typeof email?.rawKey === 'string' ? email.rawKey : null;
}
