import type { Contact, ContactMerge, ContactProfile } from '@parley/inbox';

export function contactView(contact: Contact) {
  return {
    id: contact.id,
    name: contact.name,
    email: contact.email,
    phone: contact.phone,
    avatarUrl: contact.avatarUrl,
    attributes: contact.attributes,
    consent: contact.consent,
    mergedIntoId: contact.mergedIntoId,
    erasedAt: contact.erasedAt?.toISOString() ?? null,
    lastActivityAt: contact.lastActivityAt.toISOString(),
    createdAt: contact.createdAt.toISOString(),
  };
}

export function mergeView(merge: ContactMerge) {
  return {
    id: merge.id,
    targetContactId: merge.targetContactId,
    sourceContactId: merge.sourceContactId,
    mergedBy: merge.mergedBy,
    mergedAt: merge.mergedAt.toISOString(),
    unmergedBy: merge.unmergedBy,
    unmergedAt: merge.unmergedAt?.toISOString() ?? null,
    moved: {
      identities: merge.moved.identityIds.length,
      conversations: merge.moved.conversationIds.length,
      foldedConversationId: merge.moved.folded?.conversationId ?? null,
    },
  };
}

export function profileView(profile: ContactProfile) {
  return {
    ...contactView(profile.contact),
    identities: profile.identities.map((identity) => ({
      id: identity.id,
      kind: identity.kind,
      value: identity.value,
      inboxId: identity.scopeInboxId,
      verified: identity.verified,
      optedOutChannels: identity.optedOutChannels,
      lastSeenAt: identity.lastSeenAt.toISOString(),
    })),
    conversations: profile.conversations.map((c) => ({
      id: c.id,
      status: c.status,
      lastChannel: c.lastChannel,
      subject: c.subject,
      assigneeId: c.assigneeId,
      openedAt: c.openedAt.toISOString(),
      resolvedAt: c.resolvedAt?.toISOString() ?? null,
      messagesCount: c.messagesCount,
      reopenCount: c.reopenCount,
      previousId: c.previousId,
      mergedIntoId: c.mergedIntoId,
    })),
    merges: profile.merges.map(mergeView),
  };
}
