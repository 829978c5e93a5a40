import type { ConversationView, MessageView } from '@parley/realtime';
import type { Conversation, Message } from './inbox.entities.js';
import { priorityName } from './priority.js';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toMessageView(message: Message): MessageView {
  return {
    id: message.id,
    conversationId: message.conversationId,
    contactId: message.contactId,
    inboxId: message.inboxId,
    channel: message.channel,
    direction: message.direction,
    senderType: message.senderType,
    authorId: message.authorId,
    kind: message.kind,
    private: message.kind === 'note',
    body: message.body,
    attachments: message.attachments.map(({ name, contentType, size, url, error }) => ({
      name,
      contentType,
      size,
      url,
      ...(error ? { error } : {}),
    })),
    externalId: message.externalId,
    status: message.status,
    error: message.errorMessage ? { code: message.errorCode, message: message.errorMessage } : null,
    createdAt: message.createdAt.toISOString(),
    sentAt: iso(message.sentAt),
    deliveredAt: iso(message.deliveredAt),
    readAt: iso(message.readAt),
  };
}

export function toConversationView(conversation: Conversation, labels: string[]): ConversationView {
  return {
    id: conversation.id,
    contactId: conversation.contactId,
    status: conversation.status,
    assigneeId: conversation.assigneeId,
    teamId: conversation.teamId,
    priority: priorityName(conversation.priority),
    subject: conversation.subject,
    replyInboxId: conversation.replyInboxId,
    replyIdentityId: conversation.replyIdentityId,
    lastChannel: conversation.lastChannel,
    openedAt: conversation.openedAt.toISOString(),
    firstResponseAt: iso(conversation.firstResponseAt),
    resolvedAt: iso(conversation.resolvedAt),
    waitingSince: iso(conversation.waitingSince),
    lastMessageAt: conversation.lastMessageAt.toISOString(),
    snoozedUntil: iso(conversation.snoozedUntil),
    messagesCount: conversation.messagesCount,
    reopenCount: conversation.reopenCount,
    previousId: conversation.previousId,
    labels,
    assignedAt: iso(conversation.assignedAt),
    assignmentReason: conversation.assignmentReason,
    assignmentCount: conversation.assignmentCount,
  };
}
