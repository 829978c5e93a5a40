import type { Channel } from '@parley/realtime';

/** Everything a provider needs to send one message; no database rows, no domain rules. */
export interface OutboundRequest {
  channel: Channel;
  inboxId: string;
  config: Record<string, unknown>;
  secrets: Record<string, unknown>;
  messageId: string;
  conversationId: string;
  contactId: string;
  to: { kind: string; value: string };
  body: string;
  attachments: Array<{ name: string; contentType: string; size: number; url: string; storageKey?: string }>;
  author: { id: string | null; name: string | null; type: 'agent' | 'bot' | 'system' };
  createdAt: string;
  /** A pre-approved template (WhatsApp outside the 24-hour window), sent instead of the body. */
  template?: { contentSid: string; variables: Record<string, string> };
  /** Meta: send outside the 24-hour window with this message tag (human agents, up to 7 days). */
  messageTag?: 'HUMAN_AGENT';
  /** Buttons that answer with a payload (Messenger/Instagram quick replies); other channels send the body only. */
  quickReplies?: QuickReply[];
  /** Email: how the reply threads in the customer's mail client. */
  email?: EmailThreadContext;
  /** A survey question (`kind: 'survey'`), for channels that show its choices as buttons (web chat). */
  survey?: { surveyId: string; question: string; choices: Array<{ value: number; label: string }> };
}

export interface QuickReply {
  /** Shown on the button (Meta: at most 20 characters). */
  title: string;
  /** Comes back with the customer's tap (Meta: `message.quick_reply.payload`). */
  payload: string;
}

/** Email threading for one outbound message, worked out from the conversation by the inbox lib. */
export interface EmailThreadContext {
  subject: string;
  /** The Message-ID this replies to (the customer's latest mail), if any. */
  inReplyTo: string | null;
  references: string[];
  /** Routes the customer's answer back to this conversation (`reply+<token>@<inboundDomain>`). */
  replyToken: string | null;
  /** Sent by automation (not a human agent): RFC 3834 `Auto-Submitted: auto-generated`. */
  automated: boolean;
}

/** Mirror the agent's typing to a channel that shows it (Messenger, Instagram). */
export interface TypingRequest {
  inboxId: string;
  config: Record<string, unknown>;
  secrets: Record<string, unknown>;
  to: { kind: string; value: string };
  on: boolean;
}

export interface SendResult {
  providerId: string;
  /** `sending`: the provider accepted it and will report progress by callback. */
  status: 'sending' | 'sent' | 'delivered';
}

/** A provider refused or failed; `retryable` says whether trying again may succeed. */
export class ChannelSendError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ChannelSendError';
  }
}

export interface ChannelSender {
  readonly channels: readonly Channel[];
  send(request: OutboundRequest): Promise<SendResult>;
  typing?(request: TypingRequest): Promise<void>;
}

export const CHANNEL_SENDERS = Symbol('CHANNEL_SENDERS');
