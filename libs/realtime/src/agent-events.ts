/**
 * The wire contract of the `/agent` socket.io namespace. These views are what clients receive;
 * they are mapped explicitly from the database rows and never carry secrets.
 */
export type Channel = 'webchat' | 'sms' | 'whatsapp' | 'email' | 'messenger' | 'instagram' | 'api';
export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'resolved';
export type Priority = 'none' | 'low' | 'medium' | 'high' | 'urgent';
export type DeliveryStatus =
  'received' | 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered';

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
  attachments: Array<{ name: string; contentType: string; size: number; url: string; error?: string }>;
  externalId: string | null;
  status: DeliveryStatus;
  error: { code: string | null; message: string } | null;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
}

export interface ConversationView {
  id: string;
  contactId: string;
  status: ConversationStatus;
  assigneeId: string | null;
  teamId: string | null;
  priority: Priority;
  subject: string | null;
  replyInboxId: string | null;
  replyIdentityId: string | null;
  lastChannel: Channel | null;
  openedAt: string;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  waitingSince: string | null;
  lastMessageAt: string;
  snoozedUntil: string | null;
  messagesCount: number;
  reopenCount: number;
  previousId: string | null;
  labels: string[];
  assignedAt: string | null;
  /** Why the assignee has it ("least loaded 2/5, online, team Billing", "manual by Ana"). */
  assignmentReason: string | null;
  /** Times assigned; above 1 means it bounced. */
  assignmentCount: number;
}

export interface SurveyAnswerEvent {
  surveyId: string;
  kind: 'csat' | 'ces' | 'nps';
  score: number;
  comment: string | null;
  low: boolean;
  conversationId: string | null;
  contactId: string;
  agentId: string | null;
  channel: Channel | null;
}

export interface AgentServerEvents {
  'message.created': { message: MessageView };
  'message.updated': { message: MessageView };
  'conversation.created': { conversation: ConversationView };
  'conversation.updated': { conversation: ConversationView };
  'conversation.assigned': {
    conversation: ConversationView;
    previousAssigneeId: string | null;
    actorId: string | null;
  };
  typing: { conversationId: string; userId: string; state: 'on' | 'off' };
  /** An SLA target of a conversation is about to breach (warning) or has breached. */
  'sla.alert': {
    conversationId: string;
    assigneeId: string | null;
    policyId: string;
    kind: 'first_response' | 'next_reply' | 'resolution';
    stage: 'warning' | 'breach';
    dueAt: string;
  };
  /** A customer answered a survey (to the workspace); `low` when it crossed the alert threshold. */
  /** A contact's profile changed in a way open sidebars must reload (e.g. it was erased). */
  'contact.updated': { contactId: string; erasedAt: string | null };
  'survey.answered': SurveyAnswerEvent;
  /** A low CSAT/CES score, to supervisors and the conversation's assignee. */
  'survey.alert': SurveyAnswerEvent;
  /** An automation rule escalated a conversation (to supervisors, the assignee and the team). */
  'conversation.escalated': {
    conversationId: string;
    reason: string | null;
    by: string | null;
    teamId: string | null;
  };
  presence: { userId: string; status: 'online' | 'offline' };
  error: { event: string; message: string; details?: string[] };
}

export type AgentEventName = keyof AgentServerEvents;

/** The same contract in socket.io's typed-events form (event → listener signature). */
export type AgentEmitMap = { [E in AgentEventName]: (payload: AgentServerEvents[E]) => void };
