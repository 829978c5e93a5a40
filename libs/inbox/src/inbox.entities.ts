import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Channel, ConversationStatus, DeliveryStatus } from '@parley/realtime';

export type IdentityKind = 'phone' | 'email' | 'psid' | 'igsid' | 'visitor' | 'external';
export type SenderType = 'contact' | 'agent' | 'bot' | 'system';
export type ActorType = SenderType;

export interface Attachment {
  name: string;
  contentType: string;
  size: number;
  url: string;
  /** Where the file sits in the attachment store; never sent to clients. */
  storageKey?: string;
  /** Why a provider's media could not be fetched. */
  error?: string;
  /** Email: the Content-ID an inline image is referenced by from the HTML (`cid:`). */
  contentId?: string;
  inline?: boolean;
}

@Entity('inboxes')
export class Inbox {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') name: string;
  @Column('text') channel: Channel;
  @Column('uuid', { name: 'team_id', nullable: true }) teamId: string | null;
  @Column('jsonb', { default: {} }) config: Record<string, unknown>;
  /** AES-GCM sealed JSON; see SecretCipher. Never returned by the API. */
  @Column('text', { nullable: true, select: false }) secrets: string | null;
  @Column('boolean', { default: true }) enabled: boolean;
  /** Auto-assignment for conversations replying through this inbox (unless their team has its own). */
  @Column('jsonb', { default: { mode: 'off' } }) assignment: AssignmentPolicy;
  /** Channel health an operator must act on, e.g. a page token that needs re-authorization. */
  @Column('jsonb', { default: { status: 'ok' } }) health: ChannelHealth;
  /** Messages and raw events older than this many days are redacted by the retention job; null keeps them. */
  @Column('integer', { name: 'retention_days', nullable: true }) retentionDays: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export interface AssignmentPolicy {
  mode: 'off' | 'round_robin' | 'least_loaded';
  /** Which waiting conversation goes first. */
  order?: 'oldest_waiting' | 'priority';
  /** Give the conversation back when the assignee has not replied within this many minutes. */
  requeueAfterMinutes?: number | null;
  /** Give an agent's conversations back when they go offline (or idle out). */
  requeueOnOffline?: boolean;
}

export interface ChannelHealth {
  /** `degraded`: inbound is failing (e.g. the IMAP mailbox cannot be read); replies still go out. */
  status: 'ok' | 'reauthorization_required' | 'degraded';
  error?: string;
  since?: string;
}

@Entity('contacts')
export class Contact {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text', { nullable: true }) name: string | null;
  @Column('text', { nullable: true }) email: string | null;
  @Column('text', { nullable: true }) phone: string | null;
  @Column('text', { name: 'avatar_url', nullable: true }) avatarUrl: string | null;
  @Column('jsonb', { default: {} }) attributes: Record<string, unknown>;
  @Column('jsonb', { default: {} }) consent: Record<string, unknown>;
  @Column('uuid', { name: 'merged_into_id', nullable: true }) mergedIntoId: string | null;
  /** Set when the contact's personal data was erased; the row stays so metrics keep their joins. */
  @Column('timestamptz', { name: 'erased_at', nullable: true }) erasedAt: Date | null;
  @Column('timestamptz', { name: 'last_activity_at' }) lastActivityAt: Date;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('contact_identities')
export class ContactIdentity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'contact_id' }) contactId: string;
  @Column('text') kind: IdentityKind;
  @Column('text') value: string;
  /** Set for page-scoped ids (psid, igsid, visitor, external): they mean nothing outside their inbox. */
  @Column('uuid', { name: 'scope_inbox_id', nullable: true }) scopeInboxId: string | null;
  @Column('boolean', { default: false }) verified: boolean;
  /** Channels the customer asked to stop on (SMS STOP, a provider's opt-out error). */
  @Column('text', { name: 'opted_out_channels', array: true, default: () => "'{}'" })
  optedOutChannels: Channel[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'last_seen_at' }) lastSeenAt: Date;
}

@Entity('conversations')
export class Conversation {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'contact_id' }) contactId: string;
  @Column('text') status: ConversationStatus;
  @Column('uuid', { name: 'assignee_id', nullable: true }) assigneeId: string | null;
  @Column('uuid', { name: 'team_id', nullable: true }) teamId: string | null;
  @Column('smallint', { default: 0 }) priority: number;
  @Column('text', { nullable: true }) subject: string | null;
  @Column('uuid', { name: 'reply_inbox_id', nullable: true }) replyInboxId: string | null;
  @Column('uuid', { name: 'reply_identity_id', nullable: true }) replyIdentityId: string | null;
  @Column('text', { name: 'last_channel', nullable: true }) lastChannel: Channel | null;
  @Column('timestamptz', { name: 'opened_at' }) openedAt: Date;
  @Column('timestamptz', { name: 'first_response_at', nullable: true }) firstResponseAt: Date | null;
  @Column('timestamptz', { name: 'resolved_at', nullable: true }) resolvedAt: Date | null;
  @Column('timestamptz', { name: 'waiting_since', nullable: true }) waitingSince: Date | null;
  @Column('timestamptz', { name: 'last_message_at' }) lastMessageAt: Date;
  @Column('timestamptz', { name: 'snoozed_until', nullable: true }) snoozedUntil: Date | null;
  @Column('integer', { name: 'messages_count', default: 0 }) messagesCount: number;
  @Column('integer', { name: 'customer_messages_count', default: 0 }) customerMessagesCount: number;
  @Column('integer', { name: 'agent_replies_count', default: 0 }) agentRepliesCount: number;
  @Column('integer', { name: 'reopen_count', default: 0 }) reopenCount: number;
  @Column('uuid', { name: 'previous_id', nullable: true }) previousId: string | null;
  @Column('uuid', { name: 'merged_into_id', nullable: true }) mergedIntoId: string | null;
  @Column('timestamptz', { name: 'assigned_at', nullable: true }) assignedAt: Date | null;
  /** Why the current assignee has it, in words ("least loaded 2/5, online, team Billing"). */
  @Column('text', { name: 'assignment_reason', nullable: true }) assignmentReason: string | null;
  /** Times assigned; more than one means it bounced. */
  @Column('integer', { name: 'assignment_count', default: 0 }) assignmentCount: number;
  /** The agent it was last taken from for not replying; skipped by the next auto-assignment. */
  @Column('uuid', { name: 'requeued_from', nullable: true }) requeuedFrom: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('messages')
export class Message {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'conversation_id' }) conversationId: string;
  @Column('uuid', { name: 'contact_id' }) contactId: string;
  @Column('uuid', { name: 'inbox_id', nullable: true }) inboxId: string | null;
  @Column('uuid', { name: 'identity_id', nullable: true }) identityId: string | null;
  @Column('text', { nullable: true }) channel: Channel | null;
  @Column('text') direction: 'in' | 'out';
  @Column('text', { name: 'sender_type' }) senderType: SenderType;
  @Column('uuid', { name: 'author_id', nullable: true }) authorId: string | null;
  @Column('text') kind: 'text' | 'note' | 'event' | 'survey';
  @Column('text', { default: '' }) body: string;
  @Column('text', { nullable: true }) html: string | null;
  @Column('jsonb', { default: [] }) attachments: Attachment[];
  @Column('text', { name: 'external_id', nullable: true }) externalId: string | null;
  @Column('text') status: DeliveryStatus;
  @Column('text', { name: 'error_code', nullable: true }) errorCode: string | null;
  @Column('text', { name: 'error_message', nullable: true }) errorMessage: string | null;
  @Column('integer', { default: 0 }) attempts: number;
  @Column('jsonb', { default: {} }) metadata: Record<string, unknown>;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'sent_at', nullable: true }) sentAt: Date | null;
  @Column('timestamptz', { name: 'delivered_at', nullable: true }) deliveredAt: Date | null;
  @Column('timestamptz', { name: 'read_at', nullable: true }) readAt: Date | null;
  /** When an erasure or the inbox's retention window redacted the content. */
  @Column('timestamptz', { name: 'redacted_at', nullable: true }) redactedAt: Date | null;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('conversation_events')
export class ConversationEvent {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'conversation_id' }) conversationId: string;
  @Column('text') type: ConversationEventType;
  @Column('text', { name: 'actor_type' }) actorType: ActorType;
  @Column('uuid', { name: 'actor_id', nullable: true }) actorId: string | null;
  @Column('text', { nullable: true }) channel: Channel | null;
  @Column('uuid', { name: 'inbox_id', nullable: true }) inboxId: string | null;
  @Column('uuid', { name: 'message_id', nullable: true }) messageId: string | null;
  @Column('jsonb', { default: {} }) data: Record<string, unknown>;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt: Date;
  @Column({ type: 'bigint', insert: false, update: false }) seq: string;
}

/** The append-only log every metric is computed from. */
export type ConversationEventType =
  | 'opened'
  | 'reopened'
  | 'customer_message'
  | 'agent_reply'
  | 'first_response'
  | 'note_added'
  | 'assigned'
  | 'unassigned'
  | 'team_changed'
  | 'priority_changed'
  | 'snoozed'
  | 'unsnoozed'
  | 'status_changed'
  | 'consent_changed'
  | 'reaction'
  | 'requeued'
  | 'automation_fired'
  | 'resolved'
  | 'label_added'
  | 'label_removed'
  | 'contact_merged'
  | 'contact_unmerged'
  | 'sla_warning'
  | 'sla_breached'
  | 'escalated'
  | 'survey_sent'
  | 'survey_answered'
  | 'survey_cancelled';

@Entity('labels')
export class Label {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') name: string;
  @Column('text', { default: '#64748b' }) color: string;
  @Column('text', { default: '' }) description: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('conversation_labels')
export class ConversationLabel {
  @PrimaryColumn('uuid', { name: 'conversation_id' }) conversationId: string;
  @PrimaryColumn('uuid', { name: 'label_id' }) labelId: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('canned_responses')
export class CannedResponse {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text', { name: 'short_code' }) shortCode: string;
  @Column('text') content: string;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** What a merge moved, so an unmerge can put exactly that back. */
export interface MergeMoves {
  identityIds: string[];
  conversationIds: string[];
  /** The source's open conversation folded into the target's open one, and the messages moved with it. */
  folded: {
    conversationId: string;
    intoConversationId: string;
    previousStatus: ConversationStatus;
    messageIds: string[];
  } | null;
}

@Entity('contact_merges')
export class ContactMerge {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'target_contact_id' }) targetContactId: string;
  @Column('uuid', { name: 'source_contact_id' }) sourceContactId: string;
  @Column('uuid', { name: 'merged_by', nullable: true }) mergedBy: string | null;
  @Column('timestamptz', { name: 'merged_at' }) mergedAt: Date;
  @Column('uuid', { name: 'unmerged_by', nullable: true }) unmergedBy: string | null;
  @Column('timestamptz', { name: 'unmerged_at', nullable: true }) unmergedAt: Date | null;
  @Column('jsonb') moved: MergeMoves;
  @Column('jsonb', { name: 'source_snapshot' }) sourceSnapshot: Record<string, unknown>;
}

@Entity('inbound_events')
export class InboundEvent {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'inbox_id' }) inboxId: string;
  @Column('text') provider: string;
  @Column('text', { name: 'external_id' }) externalId: string;
  @Column('jsonb') payload: unknown;
  @Column('timestamptz', { name: 'received_at' }) receivedAt: Date;
  @Column('timestamptz', { name: 'processed_at', nullable: true }) processedAt: Date | null;
  @Column('text', { nullable: true }) error: string | null;
  @Column('timestamptz', { name: 'redacted_at', nullable: true }) redactedAt: Date | null;
}

/** The IMAP poller's place in one email inbox's folder, and its health (one row per inbox). */
@Entity('email_mailbox_state')
export class EmailMailboxState {
  @PrimaryColumn('uuid', { name: 'inbox_id' }) inboxId: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') folder: string;
  /** IMAP UIDVALIDITY (a 32-bit unsigned number, kept as text); UIDs mean nothing under another. */
  @Column('text', { name: 'uid_validity', nullable: true }) uidValidity: string | null;
  /** Highest UID imported; advanced only after the message is committed. */
  @Column('bigint', { name: 'last_uid', default: 0 }) lastUid: string;
  @Column('timestamptz', { name: 'last_polled_at', nullable: true }) lastPolledAt: Date | null;
  @Column('timestamptz', { name: 'last_success_at', nullable: true }) lastSuccessAt: Date | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @Column('timestamptz', { name: 'last_error_at', nullable: true }) lastErrorAt: Date | null;
  @Column('integer', { default: 0 }) failures: number;
  @Column('timestamptz', { name: 'retry_after', nullable: true }) retryAfter: Date | null;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export const INBOX_ENTITIES = [
  CannedResponse,
  Contact,
  ContactIdentity,
  ContactMerge,
  Conversation,
  ConversationEvent,
  ConversationLabel,
  EmailMailboxState,
  InboundEvent,
  Inbox,
  Label,
  Message,
];
