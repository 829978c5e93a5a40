import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ChannelSenders } from '@parley/channels';
import { AppConfig } from '@parley/config';
import type { Channel } from '@parley/realtime';
import { ContactIdentity, Inbox, type Conversation } from './inbox.entities.js';
import { InboxError, InboxErrorCode } from './inbox.errors.js';
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
  reason: string | null;
}

/**
 * Routes replies: the identity a channel delivers to (the pinned one when replying where the
 * customer wrote last), opt-outs, messaging windows and channels that cannot send yet.
 */
@Injectable()
export class ReplyRouter {
  constructor(
    private readonly senders: ChannelSenders,
    private readonly config: AppConfig,
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

  /** The inbox and identity a reply goes to; refuses with the reason when it cannot go there. */
  async target(
    manager: EntityManager,
    conversation: Conversation,
    inboxId: string | undefined,
    withTemplate: boolean,
  ): Promise<{ inbox: Inbox; identity: ContactIdentity }> {
    const targetInboxId = inboxId ?? conversation.replyInboxId;
    if (!targetInboxId) throw new InboxError(InboxErrorCode.Unreachable, 'Choose an inbox to reply from');
    const inbox = await manager.findOne(Inbox, {
      where: { workspaceId: conversation.workspaceId, id: targetInboxId },
    });
    if (!inbox) throw InboxError.notFound('Inbox');
    if (!inbox.enabled)
      throw new InboxError(InboxErrorCode.Unreachable, `The ${inbox.name} inbox is disabled`);
    const identities = await manager.find(ContactIdentity, {
      where: { workspaceId: conversation.workspaceId, contactId: conversation.contactId },
    });
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
    return { inbox, identity };
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
    if (identity.optedOut) return unavailable(`The customer opted out of ${inbox.channel} messages`);
    if (!this.senders.supports(inbox.channel))
      return unavailable(`Replies on ${inbox.channel} are not supported yet`);
    if (inbox.channel === 'whatsapp') {
      const rows: Array<{ last: Date | null }> = await manager.query(
        `SELECT max(created_at) AS last FROM messages WHERE identity_id = $1 AND inbox_id = $2 AND direction = 'in'`,
        [identity.id, inbox.id],
      );
      const last = rows[0]?.last ? new Date(rows[0].last) : null;
      const closesAt = last
        ? new Date(last.getTime() + this.config.env.WHATSAPP_WINDOW_HOURS * 3600_000)
        : null;
      if (!closesAt || closesAt.getTime() <= Date.now()) {
        return {
          ...base,
          identityId: identity.id,
          available: false,
          templateOnly: true,
          windowClosesAt: closesAt?.toISOString() ?? null,
          reason: `Outside the WhatsApp ${this.config.env.WHATSAPP_WINDOW_HOURS}-hour window${closesAt ? ` (closed ${closesAt.toISOString()})` : ''}: send an approved template`,
        };
      }
      return {
        ...base,
        identityId: identity.id,
        available: true,
        windowClosesAt: closesAt.toISOString(),
        reason: null,
      };
    }
    return { ...base, identityId: identity.id, available: true, reason: null };
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
