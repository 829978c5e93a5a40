// The client's view of the api's JSON (docs/api.md). Kept here: apps/web imports no server lib.

export type Channel = 'webchat' | 'sms' | 'whatsapp' | 'email' | 'messenger' | 'instagram' | 'api';
export type Role = 'agent' | 'supervisor' | 'admin';
export type Status = 'open' | 'pending' | 'snoozed' | 'resolved';
export type Priority = 'none' | 'low' | 'medium' | 'high' | 'urgent';
export type Availability = 'online' | 'busy' | 'offline';

export interface Session {
  accessToken: string;
  expiresAt: number; // epoch ms
  user: { id: string; email: string; name: string };
  workspace: { id: string; name: string };
  role: Role;
}

export interface LoginAnswer {
  accessToken: string;
  expiresIn: number;
  user: { id: string; email: string; name: string };
  workspace: { id: string; name: string };
  role: Role;
}

export interface Attachment {
  name: string;
  contentType: string;
  size: number;
  url: string;
  error?: string;
}

export interface MessageView {
  id: string;
  conversationId: string;
  contactId: string;
  inboxId: string | null;
  channel: Channel | null;
  direction: 'in' | 'out';
  senderType: 'contact' | 'agent' | 'bot' | 'system';
  authorId: string | null;
  kind: 'text' | 'note' | 'event' | 'survey';
  private: boolean;
  body: string;
  attachments: Attachment[];
  status: 'received' | 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered';
  error: { code: string | null; message: string } | null;
  createdAt: string;
}

export interface ConversationView {
  id: string;
  contactId: string;
  status: Status;
  assigneeId: string | null;
  teamId: string | null;
  priority: Priority;
  subject: string | null;
  replyInboxId: string | null;
  lastChannel: Channel | null;
  openedAt: string;
  resolvedAt: string | null;
  waitingSince: string | null;
  lastMessageAt: string;
  snoozedUntil: string | null;
  messagesCount: number;
  previousId: string | null;
  labels: string[];
  assignmentReason?: string | null;
}

export interface ContactSummary {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  avatarUrl: string | null;
}

export interface ConversationListItem extends ConversationView {
  contact: ContactSummary;
  lastMessage: { body: string; direction: 'in' | 'out'; kind: string; createdAt: string } | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ReplyOption {
  inboxId: string;
  name: string;
  channel: Channel;
  identityId: string | null;
  available: boolean;
  templateOnly: boolean;
  windowClosesAt: string | null;
  tag: 'HUMAN_AGENT' | null;
  reason: string | null;
}

export interface Identity {
  id: string;
  kind: string;
  value: string;
  inboxId: string | null;
  verified: boolean;
  optedOutChannels: string[];
}

export interface ContactProfile {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  attributes: Record<string, unknown>;
  consent: Record<string, unknown>;
  /** Set once an admin erased the contact's personal data. */
  erasedAt: string | null;
  identities: Identity[];
  conversations: Array<{
    id: string;
    status: Status;
    lastChannel: Channel | null;
    subject: string | null;
    assigneeId: string | null;
    openedAt: string;
    resolvedAt: string | null;
    messagesCount: number;
    mergedIntoId: string | null;
  }>;
  merges: MergeRecord[];
}

export interface MergeRecord {
  id: string;
  targetContactId: string;
  sourceContactId: string;
  mergedAt: string;
  unmergedAt: string | null;
  moved: { identities: number; conversations: number; foldedConversationId: string | null };
}

export interface ConversationDetail {
  conversation: ConversationView;
  contact: ContactSummary;
  replyOptions: ReplyOption[];
}

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: Role;
  capacity: number;
  availability: Availability;
}

export interface Team {
  id: string;
  name: string;
  description: string | null;
  memberIds: string[];
}

export interface Inbox {
  id: string;
  name: string;
  channel: Channel;
  teamId: string | null;
  enabled: boolean;
  config: Record<string, unknown>;
  health: { status: string; error?: string; since?: string };
  createdAt: string;
}

export interface Label {
  id: string;
  name: string;
  color: string | null;
  description: string | null;
}

export interface CannedResponse {
  id: string;
  shortCode: string;
  content: string;
}

export interface LiveQueue {
  at: string;
  open: number;
  pending: number;
  snoozed: number;
  unassigned: number;
  waiting: number;
  longestWaitSeconds: number | null;
  agentsOnline: number;
  agents: Array<{
    agentId: string;
    name: string;
    availability: Availability;
    capacity: number;
    load: number;
  }>;
}

export interface EmailOriginal {
  messageId: string;
  subject: string;
  from: { name?: string; address: string } | null;
  date: string | null;
  text: string;
  html: string | null;
}
