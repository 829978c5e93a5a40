/**
 * The `/widget` socket.io contract as the browser sees it. Kept here (apps/web imports no server
 * lib); the server's side is libs/realtime/src/widget-events.ts. Keep the two in step.
 */
export interface WidgetSurvey {
  surveyId: string;
  question: string;
  choices: Array<{ value: number; label: string }>;
}

export interface WidgetMessage {
  id: string;
  direction: 'in' | 'out';
  kind: 'text' | 'survey';
  body: string;
  author: { name: string | null; type: 'contact' | 'agent' | 'bot' | 'system' };
  attachments: Array<{ name: string; contentType: string; size: number; url: string }>;
  echoId: string | null;
  survey: WidgetSurvey | null;
  createdAt: string;
  readAt: string | null;
}

export interface PreChatField {
  name: string;
  label: string;
  type: 'text' | 'email' | 'phone';
  required: boolean;
}

export interface WidgetHello {
  visitorToken: string;
  visitorId: string;
  verified: boolean;
  online: boolean;
  inboxName: string;
  greeting: string | null;
  awayMessage: string | null;
  replyTime: string | null;
  preChat: { enabled: boolean; fields: PreChatField[] };
  preChatPending: boolean;
  continuityEnabled: boolean;
  continuityEmail: boolean;
}

export type VisitorDetails = {
  name?: string;
  email?: string;
  phone?: string;
  fields?: Record<string, string>;
};

export interface ServerEvents {
  session: (hello: WidgetHello) => void;
  message: (payload: { message: WidgetMessage }) => void;
  typing: (payload: { state: 'on' | 'off'; agentName: string | null }) => void;
  'conversation.status': (payload: { status: 'open' | 'resolved' }) => void;
  error: (payload: { event: string; message: string; details?: string[] }) => void;
}

export type Ack<T> = ({ ok: true } & T) | { ok: false; error: { message: string; details?: string[] } };

export interface ClientEvents {
  'message.send': (
    payload: { body: string; echoId: string; surveyId?: string; details?: VisitorDetails },
    ack: (answer: Ack<{ message: WidgetMessage }>) => void,
  ) => void;
  'messages.sync': (
    payload: { after?: string },
    ack: (answer: Ack<{ messages: WidgetMessage[] }>) => void,
  ) => void;
  typing: (payload: { state: 'on' | 'off' }, ack: (answer: Ack<object>) => void) => void;
  read: (payload: { upTo: string }, ack: (answer: Ack<{ updated: number }>) => void) => void;
  'contact.update': (payload: { name?: string; email?: string }, ack: (answer: Ack<object>) => void) => void;
}
