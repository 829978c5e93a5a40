import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Channel } from '@parley/realtime';
import type { SurveyPolicyOverride } from './survey-policy.js';

export type SurveyKind = 'csat' | 'ces' | 'nps';
export type SurveyStatus = 'scheduled' | 'sent' | 'answered' | 'expired' | 'cancelled' | 'skipped';

@Entity('surveys')
export class Survey {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') kind: SurveyKind;
  @Column('uuid', { name: 'contact_id' }) contactId: string;
  @Column('uuid', { name: 'conversation_id', nullable: true }) conversationId: string | null;
  @Column('uuid', { name: 'campaign_id', nullable: true }) campaignId: string | null;
  /** The resolve that asked for it (once per kind and cycle). */
  @Column('timestamptz', { name: 'cycle_resolved_at', nullable: true }) cycleResolvedAt: Date | null;
  /** Questions asked together share the first one's id; `position` orders them. */
  @Column('uuid', { name: 'group_id' }) groupId: string;
  @Column('smallint') position: number;
  @Column('text') status: SurveyStatus;
  @Column('text', { name: 'status_reason', nullable: true }) statusReason: string | null;
  @Column('text') locale: string;
  @Column('timestamptz', { name: 'scheduled_for' }) scheduledFor: Date;
  @Column('timestamptz', { name: 'sent_at', nullable: true }) sentAt: Date | null;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt: Date | null;
  @Column('timestamptz', { name: 'answered_at', nullable: true }) answeredAt: Date | null;
  @Column('text', { nullable: true }) channel: Channel | null;
  @Column('uuid', { name: 'inbox_id', nullable: true }) inboxId: string | null;
  @Column('uuid', { name: 'message_id', nullable: true }) messageId: string | null;
  @Column('smallint', { nullable: true }) score: number | null;
  @Column('text', { nullable: true }) comment: string | null;
  @Column('text', { name: 'follow_up', nullable: true }) followUp: 'comment' | 'thanks' | null;
  @Column('timestamptz', { name: 'follow_up_at', nullable: true }) followUpAt: Date | null;
  @Column('uuid', { name: 'agent_id', nullable: true }) agentId: string | null;
  @Column('uuid', { name: 'team_id', nullable: true }) teamId: string | null;
  @Column('timestamptz', { name: 'alerted_at', nullable: true }) alertedAt: Date | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** The workspace policy (`inboxId` null) and per-inbox overrides, stored as partial documents. */
@Entity('survey_policies')
export class SurveyPolicyRow {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'inbox_id', nullable: true }) inboxId: string | null;
  @Column('jsonb') policy: SurveyPolicyOverride;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export interface CampaignSegment {
  /** Contacts with a conversation resolved within this many days. */
  resolvedWithinDays: number;
  /** Only contacts whose latest resolved conversation was on one of these channels. */
  channels?: Channel[];
}

@Entity('survey_campaigns')
export class SurveyCampaign {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') name: string;
  @Column('jsonb') segment: CampaignSegment;
  @Column('integer', { name: 'rate_per_minute' }) ratePerMinute: number;
  @Column('text') status: 'planning' | 'running' | 'done';
  @Column('integer') targeted: number;
  @Column('integer') skipped: number;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** An agent's "don't survey this conversation". */
@Entity('survey_exclusions')
export class SurveyExclusion {
  @PrimaryColumn('uuid', { name: 'conversation_id' }) conversationId: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'excluded_by', nullable: true }) excludedBy: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

export const SURVEY_ENTITIES = [Survey, SurveyPolicyRow, SurveyCampaign, SurveyExclusion];
