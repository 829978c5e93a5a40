import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Channel, Priority } from '@parley/realtime';
import type { Weekday, WorkInterval } from './business-calendar.js';

@Entity('business_calendars')
export class BusinessCalendar {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') name: string;
  @Column('text') timezone: string;
  @Column('jsonb') week: Partial<Record<Weekday, WorkInterval[]>>;
  @Column('text', { array: true, default: () => "'{}'" }) holidays: string[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export type CalendarScope = 'workspace' | 'inbox' | 'team';

/** Which calendar applies: the workspace default, overridden per inbox and per team. */
@Entity('calendar_assignments')
export class CalendarAssignment {
  @PrimaryColumn('uuid', { name: 'workspace_id' }) workspaceId: string;
  @PrimaryColumn('text') scope: CalendarScope;
  /** The workspace id, inbox id or team id. */
  @PrimaryColumn('uuid', { name: 'scope_id' }) scopeId: string;
  @Column('uuid', { name: 'calendar_id' }) calendarId: string;
}

@Entity('sla_policies')
export class SlaPolicy {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') name: string;
  @Column('integer', { default: 0 }) position: number;
  @Column('boolean', { default: true }) enabled: boolean;
  @Column('text', { array: true, default: () => "'{}'" }) priorities: Priority[];
  @Column('text', { array: true, default: () => "'{}'" }) channels: Channel[];
  @Column('uuid', { name: 'team_ids', array: true, default: () => "'{}'" }) teamIds: string[];
  @Column('uuid', { name: 'inbox_ids', array: true, default: () => "'{}'" }) inboxIds: string[];
  @Column('integer', { name: 'first_response_seconds', nullable: true }) firstResponseSeconds: number | null;
  @Column('integer', { name: 'next_reply_seconds', nullable: true }) nextReplySeconds: number | null;
  @Column('integer', { name: 'resolution_seconds', nullable: true }) resolutionSeconds: number | null;
  @Column('boolean', { name: 'business_hours', default: true }) businessHours: boolean;
  @Column('real', { name: 'warn_at', default: 0.8 }) warnAt: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export const REPORTING_ENTITIES = [BusinessCalendar, CalendarAssignment, SlaPolicy];
