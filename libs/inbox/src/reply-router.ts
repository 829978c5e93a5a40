import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ChannelSenders, readEmailConfig } from '@parley/channels';
import { AppConfig } from '@parley/config';
import type { Channel } from '@parley/realtime';
import { ContactIdentity, Inbox, type Conversation } from './inbox.entities.js';
import { InboxError, InboxErrorCode } from './inbox.errors.js';
import { InboxesService } from './inboxes.service.js';
import { DELIVERABLE_KINDS } from './reachability.js';

/** Whether, and how, an agent can reply from one inbox right now; the reason when not. */
export interface ReplyOption {
  inboxId: string;
  name: string;
  channel: Channel;
  identityId: string | null;
  available: boolean;
  /** Only an approved template may be sent (WhatsApp outside the 24-hour window). */
  templateOnly: boolean;
  windowClosesAt: string | null;
  /** Meta: outside 24 h but inside 7 days, a human agent's reply goes with this message tag. */
  tag: 'HUMAN_AGENT' | null;
  reason: string | null;
}

const DAY_MS = 24 * 3600_000;
const MESSAGING_WINDOW_CHANNELS: ReadonlySet<Channel> = new Set(['whatsapp', 'messenger', 'instagram']);

/**
 * Routes replies: the identity a channel delivers to (the pinned one when replying where the
 * customer wrote last), opt-outs, messaging windows and channels that cannot send yet.
 */
@Injectable()
export class ReplyRouter {
  constructor(
    private readonly senders: ChannelSenders,
    private readonly config: AppConfig,
    private readonly inboxes: InboxesService,
  ) {}

  async options(manager: EntityManager, conversation: Conversation): Promise<ReplyOption[]> {
    const [inboxes, identities] = await Promise.all([
      manager.find(Inbox, {
        where: { workspaceId: conversation.workspaceId, enabled: true },
        order: { createdAt: 'ASC' },
      }),
      manager.find(ContactIdentity, {
        where: { workspaceId: conversation.workspaceId, contactId: conversation.contactId },
      }),
    ]);
    const options: ReplyOption[] = [];
    for (const inbox of inboxes) options.push(await this.option(manager, conversation, inbox, identities));
    return options;
  }

  /** The option of one inbox (null when it is gone or disabled), without those of the others. */
  async optionFor(
    manager: EntityManager,
    conversation: Conversation,
    inboxId: string,
  ): Promise<ReplyOption | null> {
    const { inbox, identities } = await this.candidates(manager, conversation, inboxId);
    return inbox?.enabled ? this.option(manager, conversation, inbox, identities) : null;
  }

  /** The inbox and identity a reply goes to; refuses with the reason when it cannot go there. */
  async target(
    manager: EntityManager,
    conversation: Conversation,
    inboxId: string | undefined,
    withTemplate: boolean,
    byHuman = true,
  ): Promise<{ inbox: Inbox; identity: ContactIdentity; tag: 'HUMAN_AGENT' | null }> {
    const targetInboxId = inboxId ?? conversation.replyInboxId;
    if (!targetInboxId) throw new InboxError(InboxErrorCode.Unreachable, 'Choose an inbox to reply from');
    const { inbox, identities } = await this.candidates(manager, conversation, targetInboxId);
    if (!inbox) throw InboxError.notFound('Inbox');
    if (!inbox.enabled)
      throw new InboxError(InboxErrorCode.Unreachable, `The ${inbox.name} inbox is disabled`);
    const option = await this.option(manager, conversation, inbox, identities);
    const identity = identities.find((i) => i.id === option.identityId);
    if (!identity || (!option.available && !(option.templateOnly && withTemplate))) {
      throw new InboxError(
        InboxErrorCode.Unreachable,
        option.reason ?? `The customer cannot be reached on ${inbox.channel}`,
      );
    }
    if (withTemplate && inbox.channel !== 'whatsapp') {
      throw new InboxError(InboxErrorCode.InvalidInput, 'Templates are only sent on WhatsApp inboxes');
    }
    if (option.tag && !byHuman) {
      throw new InboxError(
        InboxErrorCode.Unreachable,
        'Outside the 24-hour window only a human agent may reply (HUMAN_AGENT tag)',
      );
    }
    return { inbox, identity, tag: option.tag };
  }

  /** The inbox a reply would go from (null: not in this workspace) and the contact's identities. */
  private async candidates(
    manager: EntityManager,
    conversation: Conversation,
    inboxId: string,
  ): Promise<{ inbox: Inbox | null; identities: ContactIdentity[] }> {
    // Through the process's cache, like every webhook's inbox (a change reaches every process at once).
    const inbox = await this.inboxes.find(conversation.workspaceId, inboxId, manager);
    if (!inbox) return { inbox, identities: [] };
    const identities = await manager.find(ContactIdentity, {
      where: { workspaceId: conversation.workspaceId, contactId: conversation.contactId },
    });
    return { inbox, identities };
  }

  private async option(
    manager: EntityManager,
    conversation: Conversation,
    inbox: Inbox,
    identities: ContactIdentity[],
  ): Promise<ReplyOption> {
    const base = {
      inboxId: inbox.id,
      name: inbox.name,
      channel: inbox.channel,
      templateOnly: false,
      windowClosesAt: null,
      tag: null,
    };
    const identity = this.identityFor(conversation, inbox, identities);
    const kinds = DELIVERABLE_KINDS[inbox.channel];
    if (!identity) {
      return {
        ...base,
        identityId: null,
        available: false,
        reason: `The customer cannot be reached on ${inbox.channel}: no ${kinds.join(' or ')} identity`,
      };
    }
    const unavailable = (reason: string) => ({ ...base, identityId: identity.id, available: false, reason });
    if (identity.optedOutChannels.includes(inbox.channel))
      return unavailable(`The customer opted out of ${inbox.channel} messages`);
    if (!this.senders.supports(inbox.channel))
      return unavailable(`Replies on ${inbox.channel} are not supported yet`);
    if (inbox.channel === 'email' && !readEmailConfig(inbox.config)?.smtp)
      return unavailable(`The ${inbox.name} inbox has no outbound SMTP server configured`);
    if (inbox.health.status === 'reauthorization_required') {
      return unavailable(
        `The ${inbox.name} inbox needs new credentials: ${inbox.health.error ?? 're-authorize it in the inbox settings'}`,
      );
    }
    if (MESSAGING_WINDOW_CHANNELS.has(inbox.channel)) return this.windowed(manager, inbox, identity.id);
    return { ...base, identityId: identity.id, available: true, reason: null };
  }

  /**
   * Messaging windows, counted from the customer's last message on this inbox: WhatsApp allows
   * free text for WHATSAPP_WINDOW_HOURS, then only templates; Messenger/Instagram allow 24 h, then
   * up to 7 days with the HUMAN_AGENT tag when the inbox has that permission.
   */
  private async windowed(manager: EntityManager, inbox: Inbox, identityId: string): Promise<ReplyOption> {
    const rows: Array<{ last: Date | null }> = await manager.query(
      `SELECT max(created_at) AS last FROM messages WHERE identity_id = $1 AND inbox_id = $2 AND direction = 'in'`,
      [identityId, inbox.id],
    );
    const last = rows[0]?.last ? new Date(rows[0].last).getTime() : null;
    const now = Date.now();
    const whatsapp = inbox.channel === 'whatsapp';
    const hours = whatsapp ? this.config.env.WHATSAPP_WINDOW_HOURS : 24;
    const closesAt = last === null ? null : last + hours * 3600_000;
    const base = {
      inboxId: inbox.id,
      name: inbox.name,
      channel: inbox.channel,
      identityId,
      templateOnly: false,
      tag: null,
    };
    if (closesAt !== null && closesAt > now) {
      return { ...base, available: true, windowClosesAt: new Date(closesAt).toISOString(), reason: null };
    }
    const closed = closesAt === null ? '' : ` (closed ${new Date(closesAt).toISOString()})`;
    if (whatsapp) {
      return {
        ...base,
        available: false,
        templateOnly: true,
        windowClosesAt: closesAt === null ? null : new Date(closesAt).toISOString(),
        reason: `Outside the WhatsApp ${hours}-hour window${closed}: send an approved template`,
      };
    }
    if (last === null) {
      return {
        ...base,
        available: false,
        windowClosesAt: null,
        reason:
          'The customer has not written on this inbox yet: Meta only allows replies to people who wrote first',
      };
    }
    const humanUntil = last + 7 * DAY_MS;
    const humanAgent = inbox.config.humanAgentEnabled === true;
    if (humanAgent && humanUntil > now) {
      return {
        ...base,
        available: true,
        tag: 'HUMAN_AGENT',
        windowClosesAt: new Date(humanUntil).toISOString(),
        reason: null,
      };
    }
    return {
      ...base,
      available: false,
      windowClosesAt: null,
      reason: humanAgent
        ? `More than 7 days since the customer's last message: Meta allows no reply until they write again`
        : `Outside Meta's 24-hour window${closed}; this inbox has no HUMAN_AGENT permission for later replies`,
    };
  }

  /** The pinned identity where the customer wrote last, else the first deliverable one. */
  private identityFor(
    conversation: Conversation,
    inbox: Inbox,
    identities: ContactIdentity[],
  ): ContactIdentity | null {
    const kinds = DELIVERABLE_KINDS[inbox.channel];
    const fits = (identity: ContactIdentity) =>
      kinds.includes(identity.kind) && (identity.scopeInboxId === null || identity.scopeInboxId === inbox.id);
    const pinned = identities.find((identity) => identity.id === conversation.replyIdentityId);
    if (inbox.id === conversation.replyInboxId && pinned && fits(pinned)) return pinned;
    for (const kind of kinds) {
      const match = identities.find((identity) => identity.kind === kind && fits(identity));
      if (match) return match;
    }
    return null;
  }
}
