import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type Role = 'admin' | 'supervisor' | 'agent';
export const ROLES: readonly Role[] = ['agent', 'supervisor', 'admin'];

export interface TeamAssignment {
  mode: 'off' | 'round_robin' | 'least_loaded';
  order?: 'oldest_waiting' | 'priority';
  requeueAfterMinutes?: number | null;
  requeueOnOffline?: boolean;
}

export interface WorkspaceSettings {
  reopenWindowDays?: number;
  fcrWindowDays?: number;
}

@Entity('workspaces')
export class Workspace {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { default: 'UTC' }) timezone: string;
  @Column('jsonb', { default: {} }) settings: WorkspaceSettings;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('users')
export class User {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') email: string;
  @Column('text') name: string;
  @Column('text', { name: 'password_hash', select: false }) passwordHash: string;
  @Column('text', { name: 'avatar_url', nullable: true }) avatarUrl: string | null;
  /** Tokens issued before this are refused (a password change signs every session out). */
  @Column('timestamptz', { name: 'tokens_valid_after', nullable: true }) tokensValidAfter: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('memberships')
export class Membership {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'user_id' }) userId: string;
  @Column('text') role: Role;
  @Column('integer', { default: 10 }) capacity: number;
  @Column('text', { default: 'offline' }) availability: 'online' | 'busy' | 'offline';
  /** Per channel kind limits within `capacity`, e.g. { "webchat": 3, "email": 10 }. */
  @Column('jsonb', { name: 'channel_capacity', default: {} }) channelCapacity: Record<string, number>;
  @Column('timestamptz', { name: 'availability_changed_at' }) availabilityChangedAt: Date;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('teams')
export class Team {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') name: string;
  @Column('text', { default: '' }) description: string;
  /** Auto-assignment among the team's members (libs/inbox runs it; same shape as an inbox's policy). */
  @Column('jsonb', { default: { mode: 'off' } }) assignment: TeamAssignment;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('team_members')
export class TeamMember {
  @PrimaryColumn('uuid', { name: 'team_id' }) teamId: string;
  @PrimaryColumn('uuid', { name: 'user_id' }) userId: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('api_keys')
export class ApiKey {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') name: string;
  @Column('text') prefix: string;
  @Column('text', { name: 'key_hash', select: false }) keyHash: string;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

export const ACCOUNT_ENTITIES = [Workspace, User, Membership, Team, TeamMember, ApiKey];
