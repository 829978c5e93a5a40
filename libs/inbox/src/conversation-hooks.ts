import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor, Effects } from './effects.js';
import type { Conversation, Inbox } from './inbox.entities.js';

/** A state change, seen inside the transaction that makes it. */
export interface ConversationChange {
  manager: EntityManager;
  conversation: Conversation;
  actor: Actor;
  effects: Effects;
}

/** A customer message about to be threaded, seen inside the ingest transaction. */
export interface InboundCandidate {
  manager: EntityManager;
  effects: Effects;
  workspaceId: string;
  contactId: string;
  inbox: Inbox;
  identityId: string;
  /** The id the message will be stored under. */
  messageId: string;
  body: string;
  metadata: Record<string, unknown>;
  now: Date;
  /** The contact was created by this transaction (its first message): it has nothing to answer yet. */
  newContact: boolean;
}

/** The message answers something else (a survey): stored in that conversation, not threaded. */
export interface InboundClaim {
  conversationId: string;
  metadata: Record<string, unknown>;
}

/**
 * What another domain lib (surveys) does as part of an inbox transaction. The inbox owns this
 * interface and knows nothing of who implements it; see docs/architecture.md ("Transactional hooks").
 */
export interface ConversationHooks {
  resolved?(change: ConversationChange): Promise<void>;
  reopened?(change: ConversationChange): Promise<void>;
  claimInbound?(candidate: InboundCandidate): Promise<InboundClaim | null>;
}

/** The hooks registered at start-up, run in registration order inside the caller's transaction. */
@Injectable()
export class ConversationHookRegistry {
  private readonly hooks: ConversationHooks[] = [];

  register(hooks: ConversationHooks): void {
    if (!this.hooks.includes(hooks)) this.hooks.push(hooks);
  }

  async resolved(change: ConversationChange): Promise<void> {
    for (const hooks of this.hooks) await hooks.resolved?.(change);
  }

  async reopened(change: ConversationChange): Promise<void> {
    for (const hooks of this.hooks) await hooks.reopened?.(change);
  }

  /** The first claim wins; a message nobody claims is threaded as usual. */
  async claimInbound(candidate: InboundCandidate): Promise<InboundClaim | null> {
    for (const hooks of this.hooks) {
      const claim = await hooks.claimInbound?.(candidate);
      if (claim) return claim;
    }
    return null;
  }
}
