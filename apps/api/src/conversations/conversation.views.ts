import type { ConversationListRow } from '@parley/inbox';
import { PRIORITIES } from '@parley/inbox';
import type { AssignDto } from './conversation.dto.js';

/** An inbox list row: the conversation, who it is with, and a preview of the last public message. */
export function listItemView(row: ConversationListRow) {
  const c = row.conversation;
  return {
    id: c.id,
    status: c.status,
    assigneeId: c.assigneeId,
    teamId: c.teamId,
    priority: PRIORITIES[c.priority] ?? 'none',
    subject: c.subject,
    lastChannel: c.lastChannel,
    replyInboxId: c.replyInboxId,
    waitingSince: c.waitingSince?.toISOString() ?? null,
    lastMessageAt: c.lastMessageAt.toISOString(),
    openedAt: c.openedAt.toISOString(),
    snoozedUntil: c.snoozedUntil?.toISOString() ?? null,
    messagesCount: c.messagesCount,
    labels: row.labels,
    contact: row.contact,
    lastMessage: row.lastMessage
      ? { ...row.lastMessage, createdAt: row.lastMessage.createdAt.toISOString() }
      : null,
  };
}

/** Only the fields the client sent are changed; an explicit null clears. */
export function assignChanges(dto: AssignDto): { assigneeId?: string | null; teamId?: string | null } {
  return {
    ...('assigneeId' in dto ? { assigneeId: dto.assigneeId ?? null } : {}),
    ...('teamId' in dto ? { teamId: dto.teamId ?? null } : {}),
  };
}
