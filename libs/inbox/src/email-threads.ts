import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In, Not } from 'typeorm';
import {
  baseSubject,
  messageIdsIn,
  readEmailConfig,
  replySubject,
  replyTokensIn,
  type EmailThreadContext,
} from '@parley/channels';
import { AppConfig } from '@parley/config';
import { encryptionKeys, TransactionRunner } from '@parley/database';
import { Conversation, Message, type Inbox } from './inbox.entities.js';

export type ThreadedBy = 'reply_token' | 'in_reply_to' | 'references' | 'returned_message';

export interface EmailThread {
  conversationId: string;
  contactId: string;
  via: ThreadedBy;
}

const UUID_HEX = /^[0-9a-f]{32}$/;

/**
 * Email threading (CHANNELS.md §3.2): reply tokens (`reply+<token>@`) signed with a key derived
 * from ENCRYPTION_KEY, and Message-ID lookups (inbound and outbound ids are messages.external_id,
 * indexed per workspace for email).
 */
@Injectable()
export class EmailThreads {
  /** The current key signs; earlier keys (ENCRYPTION_KEYS_PREVIOUS) still verify older reply addresses. */
  private readonly keys: Buffer[];

  constructor(
    private readonly tx: TransactionRunner,
    config: AppConfig,
  ) {
    this.keys = encryptionKeys(config.env).map((key) =>
      createHmac('sha256', key).update('parley:email-reply-token').digest(),
    );
  }

  /** `<conversation id as 32 hex>-<12 hex MAC>`: routes an answer back, and cannot be forged. */
  tokenFor(conversationId: string): string {
    const hex = conversationId.replace(/-/g, '').toLowerCase();
    return `${hex}-${this.mac(hex)}`;
  }

  /** The conversation id a token names, or null when its MAC does not match. */
  conversationOfToken(token: string): string | null {
    const [hex, mac] = token.toLowerCase().split('-');
    if (!hex || !mac || !UUID_HEX.test(hex) || mac.length !== 12) return null;
    const valid = this.keys.some((key) => timingSafeEqual(Buffer.from(this.mac(hex, key)), Buffer.from(mac)));
    if (!valid) return null;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /**
   * The conversation an inbound mail belongs to: a valid reply token among its recipients, else
   * its In-Reply-To, else its References (newest first), else the message a bounce returns.
   */
  async find(
    workspaceId: string,
    mail: { recipients: string[]; inReplyTo: string | null; references: string[] },
    returnedMessageId: string | null = null,
  ): Promise<EmailThread | null> {
    for (const token of replyTokensIn(mail.recipients)) {
      const id = this.conversationOfToken(token);
      const conversation = id ? await this.live(workspaceId, id) : null;
      if (conversation)
        return { conversationId: conversation.id, contactId: conversation.contactId, via: 'reply_token' };
    }
    const candidates: Array<[string, ThreadedBy]> = [
      ...(returnedMessageId ? [[returnedMessageId, 'returned_message'] as [string, ThreadedBy]] : []),
      ...(mail.inReplyTo ? [[mail.inReplyTo, 'in_reply_to'] as [string, ThreadedBy]] : []),
      ...[...mail.references].reverse().map((id) => [id, 'references'] as [string, ThreadedBy]),
    ];
    if (candidates.length === 0) return null;
    const found = await this.tx.manager.find(Message, {
      where: { workspaceId, channel: 'email', externalId: In(candidates.slice(0, 50).map(([id]) => id)) },
      select: { id: true, externalId: true, conversationId: true },
    });
    for (const [id, via] of candidates) {
      const message = found.find((m) => m.externalId === id);
      const conversation = message ? await this.live(workspaceId, message.conversationId) : null;
      if (conversation) return { conversationId: conversation.id, contactId: conversation.contactId, via };
    }
    return null;
  }

  /** An email we sent, by its Message-ID (a bounce names it). */
  findOutbound(workspaceId: string, messageId: string): Promise<Message | null> {
    return this.tx.manager.findOne(Message, {
      where: { workspaceId, channel: 'email', direction: 'out', externalId: messageId },
    });
  }

  /**
   * How an outbound email threads: In-Reply-To and References of the customer's latest mail in the
   * conversation (else our previous email), `Re:` its subject, and the conversation's reply token.
   */
  async outboundContext(message: Message, inbox: Inbox): Promise<EmailThreadContext> {
    const conversation = await this.tx.manager.findOne(Conversation, {
      where: { workspaceId: message.workspaceId, id: message.conversationId },
    });
    const base = {
      workspaceId: message.workspaceId,
      conversationId: message.conversationId,
      channel: 'email' as const,
    };
    const parent =
      (await this.tx.manager.findOne(Message, {
        where: { ...base, direction: 'in', senderType: 'contact' },
        order: { createdAt: 'DESC', id: 'DESC' },
      })) ??
      (await this.tx.manager.findOne(Message, {
        where: { ...base, direction: 'out', id: Not(message.id), status: In(['sent', 'delivered', 'read']) },
        order: { createdAt: 'DESC', id: 'DESC' },
      }));
    const email = (parent?.metadata.email ?? {}) as { subject?: unknown; references?: unknown };
    const parentId =
      parent?.externalId && messageIdsIn(parent.externalId)[0] === parent.externalId
        ? parent.externalId
        : null;
    const parentSubject =
      typeof email.subject === 'string' ? email.subject : (parent?.metadata.subject as string | undefined);
    const config = readEmailConfig(inbox.config);
    const subject = parentId
      ? replySubject(parentSubject ?? conversation?.subject)
      : baseSubject(conversation?.subject) || `Your conversation with ${config?.displayName ?? inbox.name}`;
    return {
      subject,
      inReplyTo: parentId,
      references: parentId
        ? [...messageIdsIn(Array.isArray(email.references) ? (email.references as string[]) : [])]
        : [],
      replyToken: this.tokenFor(message.conversationId),
      automated: message.senderType !== 'agent' || message.kind === 'survey',
    };
  }

  private mac(hex: string, key = this.keys[0]): string {
    return createHmac('sha256', key).update(hex).digest('hex').slice(0, 12);
  }

  /** The conversation, or the one it was folded into by a merge. */
  private async live(workspaceId: string, id: string): Promise<Conversation | null> {
    let conversation = await this.tx.manager.findOne(Conversation, { where: { workspaceId, id } });
    for (let hop = 0; conversation?.mergedIntoId && hop < 5; hop += 1)
      conversation = await this.tx.manager.findOne(Conversation, {
        where: { workspaceId, id: conversation.mergedIntoId },
      });
    return conversation;
  }
}
