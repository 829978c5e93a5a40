import { createHmac, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In, LessThanOrEqual, MoreThan, type FindOptionsWhere } from 'typeorm';
import { readVisitorToken, signVisitorToken, verifyIdentifierHash } from '@parley/channels';
import { AppConfig } from '@parley/config';
import { SecretCipher, TransactionRunner } from '@parley/database';
import type { WidgetHello, WidgetMessage } from '@parley/realtime';
import { DeliveryService } from './delivery.service.js';
import { DirectoryRepository } from './directory.repository.js';
import { normalizeIdentity } from './identity.js';
import { Contact, ContactIdentity, Inbox, Message, type IdentityKind } from './inbox.entities.js';
import { InboxError, InboxErrorCode } from './inbox.errors.js';
import { IngestService } from './ingest.service.js';
import { isSurveyPayload, readWebchatConfig, type WebchatConfig } from './webchat-config.js';

/** Why a widget connection is refused; the gateway passes the message to the browser. */
export class WebchatRefusal extends Error {}

/** Visitor tokens live this long; each new connection gets a fresh one. */
const VISITOR_TOKEN_DAYS = 60;
const HISTORY_LIMIT = 100;

export interface WebchatHandshake {
  websiteToken: string;
  visitorToken?: string | null;
  identifier?: string | null;
  identifierHash?: string | null;
  name?: string | null;
  email?: string | null;
  /** The page's `Origin` header (browsers always send it); checked against `config.allowedOrigins`. */
  origin?: string | null;
}

/** One widget connection: which inbox, which visitor, verified or not. Carries ids only. */
export interface WebchatSession {
  workspaceId: string;
  inboxId: string;
  visitorId: string;
  /** The host site's user id, when `identifierHash` proved it. */
  verifiedIdentifier: string | null;
  /** Details the host site passed with `setUser`; never trusted to merge contacts. */
  claimed: { name: string | null; email: string | null };
}

/** What the widget shows before and around the conversation. */
export type WebchatSettings = Omit<WidgetHello, 'visitorToken' | 'visitorId' | 'verified' | 'online'>;

export interface VisitorDetails {
  name?: string;
  email?: string;
  phone?: string;
  fields?: Record<string, string>;
}

export interface VisitorMessageInput {
  body: string;
  echoId: string;
  surveyId?: string;
  /** Pre-chat answers, with the first message. */
  details?: VisitorDetails;
}

/**
 * Web chat visitor sessions: website token → inbox, signed visitor tokens, identity verification
 * (HMAC), the visitor's message history, their messages (through ingest), read receipts, and
 * pre-chat details that never merge contacts by themselves.
 */
@Injectable()
export class WebchatService {
  private readonly visitorKey: string;
  private readonly maxLength: number;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly cipher: SecretCipher,
    private readonly ingest: IngestService,
    private readonly delivery: DeliveryService,
    private readonly directory: DirectoryRepository,
    config: AppConfig,
  ) {
    // A key of its own, derived from the server secret: a visitor token is never a valid session JWT.
    this.maxLength = config.env.WIDGET_MAX_MESSAGE_LENGTH;
    this.visitorKey = createHmac('sha256', config.env.JWT_SECRET)
      .update('parley:widget-visitor')
      .digest('hex');
  }

  /**
   * Admits a widget: the website token names an enabled web chat inbox; a valid visitor token keeps
   * the visitor, anything else starts a new one; `identifierHash` must match when given or required.
   */
  async open(handshake: WebchatHandshake): Promise<{
    session: WebchatSession;
    visitorToken: string;
    isNewVisitor: boolean;
    settings: WebchatConfig & { inboxName: string };
  }> {
    const inbox = await this.inboxByToken(handshake.websiteToken);
    const config = readWebchatConfig(inbox.config);
    // Without an Origin it is not a browser, and a non-browser client could claim any origin anyway.
    if (handshake.origin && config.allowedOrigins.length && !config.allowedOrigins.includes(handshake.origin))
      throw new WebchatRefusal(`this chat may not be embedded on ${handshake.origin.slice(0, 200)}`);
    const secrets = this.cipher.decryptJson(inbox.secrets);
    let verifiedIdentifier: string | null = null;
    if (handshake.identifier || handshake.identifierHash) {
      const identifier = handshake.identifier?.trim() ?? '';
      const secret = typeof secrets.hmacSecret === 'string' ? secrets.hmacSecret : '';
      if (!identifier || identifier.length > 255 || !handshake.identifierHash || !secret)
        throw new WebchatRefusal(
          'identity verification failed: identifier and identifierHash are both required',
        );
      if (!verifyIdentifierHash(secret, identifier, handshake.identifierHash))
        throw new WebchatRefusal('identity verification failed: identifierHash does not match');
      verifiedIdentifier = identifier;
    } else if (config.requireVerification) {
      throw new WebchatRefusal('identity verification required: pass identifier and identifierHash');
    }
    const claims = handshake.visitorToken ? readVisitorToken(this.visitorKey, handshake.visitorToken) : null;
    const known = claims?.inboxId === inbox.id;
    const visitorId = known ? claims.visitorId : randomUUID();
    const exp = Math.floor(Date.now() / 1000) + VISITOR_TOKEN_DAYS * 86_400;
    return {
      session: {
        workspaceId: inbox.workspaceId,
        inboxId: inbox.id,
        visitorId,
        verifiedIdentifier,
        claimed: {
          name: handshake.name?.trim().slice(0, 200) || null,
          email: handshake.email?.trim().slice(0, 320) || null,
        },
      },
      visitorToken: signVisitorToken(this.visitorKey, { inboxId: inbox.id, visitorId, exp }),
      isNewVisitor: !known,
      settings: { ...config, inboxName: inbox.name },
    };
  }

  /** The settings the widget shows this visitor. */
  async settings(
    session: WebchatSession,
    config: WebchatConfig & { inboxName: string },
  ): Promise<WebchatSettings> {
    const identity = await this.identityRow(session);
    const contact = identity
      ? await this.tx.manager.findOne(Contact, {
          where: { workspaceId: session.workspaceId, id: identity.contactId },
        })
      : null;
    return {
      inboxName: config.inboxName,
      greeting: config.greeting,
      awayMessage: config.awayMessage,
      replyTime: config.replyTime,
      preChat: config.preChat,
      preChatPending: config.preChat.enabled && !session.verifiedIdentifier && !identity,
      continuityEnabled: Boolean(config.continuityEmailInboxId),
      continuityEmail: Boolean(this.continuityAddress(contact)),
    };
  }

  /** The visitor's messages in this inbox, oldest first; `after` a message id for a resync. */
  async history(session: WebchatSession, after?: string | null): Promise<WidgetMessage[]> {
    const identity = await this.identityRow(session);
    if (!identity) return [];
    const where: FindOptionsWhere<Message> = {
      workspaceId: session.workspaceId,
      inboxId: session.inboxId,
      identityId: identity.id,
      kind: In(['text', 'survey']),
    };
    if (after) {
      const anchor = await this.tx.manager.findOne(Message, {
        where: { workspaceId: session.workspaceId, id: after, identityId: identity.id },
      });
      if (anchor) where.createdAt = MoreThan(anchor.createdAt);
    }
    const messages = await this.tx.manager.find(Message, {
      where,
      order: { createdAt: 'DESC', id: 'DESC' },
      take: HISTORY_LIMIT,
    });
    const visible = messages.filter((message) => message.direction === 'in' || message.status !== 'queued');
    return Promise.all(visible.reverse().map((message) => this.toWidgetMessage(message)));
  }

  /** Ingests a visitor message (idempotent on `echoId`) and applies pre-chat details. */
  async send(session: WebchatSession, input: VisitorMessageInput): Promise<WidgetMessage> {
    const body = input.body.trim();
    if (!body) throw new InboxError(InboxErrorCode.InvalidInput, 'message body must not be empty');
    if (body.length > this.maxLength)
      throw new InboxError(
        InboxErrorCode.InvalidInput,
        `message is longer than ${this.maxLength} characters`,
      );
    const identity = this.identityOf(session);
    const config = readWebchatConfig(await this.inboxConfig(session));
    const existing = await this.identityRow(session);
    if (config.preChat.enabled && !session.verifiedIdentifier && !existing)
      this.checkPreChat(config, input.details);
    const name = input.details?.name?.trim() || session.claimed.name;
    const result = await this.ingest.ingest({
      workspaceId: session.workspaceId,
      inboxId: session.inboxId,
      externalId: `${session.visitorId}:${input.echoId}`,
      identities: [identity],
      contactName: name,
      body,
      metadata: {
        echoId: input.echoId,
        verified: Boolean(session.verifiedIdentifier),
        ...(input.surveyId ? { surveyId: input.surveyId } : {}),
      },
    });
    if (session.verifiedIdentifier && result.outcome !== 'duplicate') {
      // The host site vouched for this identifier (HMAC): the identity, not the contact's details.
      await this.tx.manager.update(
        ContactIdentity,
        {
          workspaceId: session.workspaceId,
          kind: 'external',
          value: identity.value,
          scopeInboxId: session.inboxId,
        },
        { verified: true },
      );
    }
    const email = input.details?.email ?? session.claimed.email;
    const fields = this.knownFields(config, input.details?.fields);
    if (email || input.details?.phone || fields)
      await this.recordDetails(session.workspaceId, result.contactId, {
        phone: input.details?.phone,
        email: email ?? undefined,
        fields,
      });
    const stored = await this.tx.manager.findOneOrFail(Message, {
      where: { workspaceId: session.workspaceId, id: result.message.id },
    });
    return this.toWidgetMessage(stored);
  }

  /**
   * Details the visitor gives after writing (e.g. an email for replies while away): kept as claimed
   * details on their own contact, like pre-chat answers.
   */
  async updateDetails(session: WebchatSession, details: { name?: string; email?: string }): Promise<void> {
    const identity = await this.identityRow(session);
    if (!identity) throw new InboxError(InboxErrorCode.InvalidState, 'send a message first');
    const email = details.email?.trim();
    if (email) normalizeIdentity('email', email); // throws a 4xx with the reason
    const name = details.name?.trim();
    if (name)
      await this.tx.manager
        .createQueryBuilder()
        .update(Contact)
        .set({ name })
        .where('workspace_id = :workspaceId AND id = :id AND name IS NULL', {
          workspaceId: session.workspaceId,
          id: identity.contactId,
        })
        .execute();
    if (email) await this.recordDetails(session.workspaceId, identity.contactId, { email });
  }

  /** The visitor saw everything up to this message: our replies up to it become `read`. */
  async markRead(session: WebchatSession, upToMessageId: string): Promise<number> {
    const identity = await this.identityRow(session);
    if (!identity) return 0;
    const message = await this.tx.manager.findOne(Message, {
      where: { workspaceId: session.workspaceId, id: upToMessageId, identityId: identity.id },
    });
    if (!message) throw InboxError.notFound('Message');
    // A reply reaches the widget a moment before its `sent` status is stored: let that land first.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const delivering = await this.tx.manager.exists(Message, {
        where: {
          workspaceId: session.workspaceId,
          identityId: identity.id,
          direction: 'out',
          status: 'queued',
          createdAt: LessThanOrEqual(message.createdAt),
        },
      });
      if (!delivering) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return this.delivery.applyWatermark(
      session.workspaceId,
      session.inboxId,
      identity.id,
      'read',
      message.createdAt,
    );
  }

  /**
   * The conversation the visitor is writing in (for typing), or null before their first message:
   * that of their latest message on this widget. Asked on every connect and typing event, so it
   * reads `messages_inbound_window_idx`; by identity alone it was a scan of every message (5–13 s
   * a widget connect on the 10M-message bench set).
   */
  async currentConversationId(session: WebchatSession): Promise<string | null> {
    const identity = await this.identityRow(session);
    if (!identity) return null;
    const latest = await this.tx.manager.findOne(Message, {
      where: {
        workspaceId: session.workspaceId,
        identityId: identity.id,
        inboxId: session.inboxId,
        direction: 'in',
      },
      order: { createdAt: 'DESC' },
      select: { id: true, conversationId: true },
    });
    return latest?.conversationId ?? null;
  }

  /** Verified visitors are their host-site user on every device; others are this browser. */
  identityOf(session: WebchatSession): { kind: IdentityKind; value: string } {
    return session.verifiedIdentifier
      ? { kind: 'external', value: session.verifiedIdentifier }
      : { kind: 'visitor', value: session.visitorId };
  }

  private async identityRow(session: WebchatSession): Promise<ContactIdentity | null> {
    const identity = this.identityOf(session);
    return this.tx.manager.findOne(ContactIdentity, {
      where: {
        workspaceId: session.workspaceId,
        kind: identity.kind,
        value: normalizeIdentity(identity.kind, identity.value),
        scopeInboxId: session.inboxId,
      },
    });
  }

  private async inboxByToken(websiteToken: string): Promise<Inbox> {
    if (!websiteToken || websiteToken.length > 64) throw new WebchatRefusal('unknown website token');
    const inbox = await this.tx.manager
      .createQueryBuilder(Inbox, 'inbox')
      .addSelect('inbox.secrets')
      .where(`inbox.channel = 'webchat' AND inbox.config->>'websiteToken' = :websiteToken`, { websiteToken })
      .getOne();
    if (!inbox) throw new WebchatRefusal('unknown website token');
    if (!inbox.enabled) throw new WebchatRefusal('this chat is disabled');
    return inbox;
  }

  private async inboxConfig(session: WebchatSession): Promise<Record<string, unknown>> {
    const inbox = await this.tx.manager.findOne(Inbox, {
      where: { workspaceId: session.workspaceId, id: session.inboxId },
    });
    if (!inbox) throw InboxError.notFound('Inbox');
    return inbox.config;
  }

  private checkPreChat(config: WebchatConfig, details: VisitorDetails | undefined): void {
    const missing = config.preChat.fields
      .filter((field) => field.required && !this.answer(details, field.name)?.trim())
      .map((field) => field.label);
    if (missing.length)
      throw new InboxError(InboxErrorCode.InvalidInput, `please fill in: ${missing.join(', ')}`, missing);
    for (const field of config.preChat.fields) {
      const answer = this.answer(details, field.name)?.trim();
      if (!answer) continue;
      // Throws a 4xx with the reason for a malformed email or phone number.
      if (field.type === 'email') normalizeIdentity('email', answer);
      if (field.type === 'phone') normalizeIdentity('phone', answer);
    }
  }

  /** Custom answers of the configured fields only, as bounded text. */
  private knownFields(config: WebchatConfig, fields: Record<string, unknown> | undefined) {
    if (!fields) return undefined;
    const known = config.preChat.fields.filter((field) => !['name', 'email', 'phone'].includes(field.name));
    const answers: Record<string, string> = {};
    for (const field of known) {
      const value = fields[field.name];
      if (typeof value === 'string' && value.trim()) answers[field.name] = value.trim().slice(0, 500);
    }
    return Object.keys(answers).length ? answers : undefined;
  }

  private answer(details: VisitorDetails | undefined, name: string): string | undefined {
    if (name === 'name' || name === 'email' || name === 'phone') return details?.[name];
    return details?.fields?.[name];
  }

  /**
   * Keeps what the visitor typed as *claimed* details on their own contact. An address or number
   * that another contact owns only raises a merge suggestion for agents; it never merges.
   */
  private async recordDetails(
    workspaceId: string,
    contactId: string,
    details: VisitorDetails,
  ): Promise<void> {
    await this.tx.run(async (manager) => {
      const contact = await manager.findOne(Contact, {
        where: { workspaceId, id: contactId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!contact) return;
      const claimed: Record<string, string> = {};
      const suggestions: Array<{ contactId: string; reason: string }> = [];
      for (const kind of ['email', 'phone'] as const) {
        const raw = details[kind]?.trim();
        if (!raw) continue;
        let value: string;
        try {
          value = normalizeIdentity(kind, raw);
        } catch {
          continue;
        }
        claimed[kind] = value;
        const owner = await manager.findOne(ContactIdentity, {
          where: { workspaceId, kind, value },
        });
        if (owner && owner.contactId !== contact.id)
          suggestions.push({
            contactId: owner.contactId,
            reason: `web chat visitor gave the ${kind} ${value}`,
          });
      }
      const webchat = (contact.attributes.webchat ?? {}) as Record<string, unknown>;
      const previous = (contact.attributes.mergeSuggestions ?? []) as Array<{ contactId: string }>;
      contact.attributes = {
        ...contact.attributes,
        webchat: { ...webchat, ...claimed, ...(details.fields ? { fields: details.fields } : {}) },
        ...(suggestions.length
          ? {
              mergeSuggestions: [
                ...previous,
                ...suggestions.filter((s) => !previous.some((p) => p.contactId === s.contactId)),
              ],
            }
          : {}),
      };
      await manager.save(contact);
    });
  }

  /** The address continuity emails go to: one the visitor gave in chat. */
  continuityAddress(contact: Pick<Contact, 'attributes' | 'email'> | null): string | null {
    const webchat = (contact?.attributes.webchat ?? {}) as { email?: unknown };
    if (typeof webchat.email === 'string') return webchat.email;
    return contact?.email ?? null;
  }

  private async toWidgetMessage(message: Message): Promise<WidgetMessage> {
    const authorName =
      message.direction === 'out' && message.authorId
        ? await this.directory.userName(message.authorId)
        : null;
    const survey =
      message.kind === 'survey' && isSurveyPayload(message.metadata.survey) ? message.metadata.survey : null;
    return {
      id: message.id,
      direction: message.direction,
      kind: survey ? 'survey' : 'text',
      body: message.body,
      author: { name: authorName, type: message.senderType },
      attachments: message.attachments.map(({ name, contentType, size, url }) => ({
        name,
        contentType,
        size,
        url,
      })),
      echoId: typeof message.metadata.echoId === 'string' ? message.metadata.echoId : null,
      survey,
      createdAt: message.createdAt.toISOString(),
      readAt: message.readAt?.toISOString() ?? null,
    };
  }
}
