import type { AgentServerEvents } from './agent-events.js';
import { rooms } from './rooms.js';

/**
 * The wire contract of the `/widget` socket.io namespace (what a website visitor's browser sees).
 * Only what a customer may see: no notes, no internal ids beyond the messages' own, no emails of agents.
 */
export const WIDGET_NAMESPACE = '/widget';

/** Rooms of the `/widget` namespace: one per anonymous visitor, one per verified identifier of an inbox. */
export const widgetRooms = {
  visitor: (visitorId: string) => `visitor:${visitorId}`,
  verified: (inboxId: string, identifier: string) => `verified:${inboxId}:${identifier}`,
} as const;

export interface WidgetSurvey {
  surveyId: string;
  question: string;
  choices: Array<{ value: number; label: string }>;
}

export interface WidgetMessage {
  id: string;
  /** `in`: from the visitor; `out`: from the team. */
  direction: 'in' | 'out';
  kind: 'text' | 'survey';
  body: string;
  author: { name: string | null; type: 'contact' | 'agent' | 'bot' | 'system' };
  attachments: Array<{ name: string; contentType: string; size: number; url: string }>;
  /** The visitor's own message id for optimistic display (`echoId` of `message.send`). */
  echoId: string | null;
  survey: WidgetSurvey | null;
  createdAt: string;
  /** Outgoing messages: when the visitor read them (their read receipt). */
  readAt: string | null;
}

/** Sent once a widget connects: who the visitor is and what the widget shows. */
export interface WidgetHello {
  /** Store it and pass it back on the next connection to stay the same visitor. */
  visitorToken: string;
  visitorId: string;
  verified: boolean;
  /** Within the inbox's business hours (its calendar, else the workspace's; none: always). */
  online: boolean;
  inboxName: string;
  greeting: string | null;
  awayMessage: string | null;
  replyTime: string | null;
  preChat: {
    enabled: boolean;
    fields: Array<{ name: string; label: string; type: 'text' | 'email' | 'phone'; required: boolean }>;
  };
  /** The visitor still has to fill the pre-chat form (enabled, not verified, never wrote). */
  preChatPending: boolean;
  /** The inbox emails replies the visitor misses (continuity by email is set up). */
  continuityEnabled: boolean;
  /** The visitor left an email: replies they miss are sent there. */
  continuityEmail: boolean;
}

export interface WidgetServerEvents {
  session: WidgetHello;
  message: { message: WidgetMessage };
  typing: { state: 'on' | 'off'; agentName: string | null };
  /** The state of the visitor's conversation, sent whenever the team changes it (resolve, reopen, …). */
  'conversation.status': { status: 'open' | 'resolved' };
  error: { event: string; message: string; details?: string[] };
}

export type WidgetEmitMap = { [E in keyof WidgetServerEvents]: (payload: WidgetServerEvents[E]) => void };

/**
 * What visitors see of an agent-side event: a conversation's state (open or resolved) goes to the
 * widgets in that conversation's room. Everything else stays with the agents.
 */
export function widgetEventOf(
  event: keyof AgentServerEvents,
  payload: unknown,
): { rooms: string[]; payload: WidgetServerEvents['conversation.status'] } | null {
  if (event !== 'conversation.updated' && event !== 'conversation.created') return null;
  const { conversation } = payload as AgentServerEvents['conversation.updated'];
  return {
    rooms: [rooms.conversation(conversation.id)],
    payload: { status: conversation.status === 'resolved' ? 'resolved' : 'open' },
  };
}
