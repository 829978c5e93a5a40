import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { LocalCaches, type Channel, type LocalCache } from '@parley/realtime';
import type { CalendarDefinition } from './business-calendar.js';
import type { CycleMetrics, MetricEvent } from './metrics-fold.js';
import { RollupsRepository } from './rollups.repository.js';

interface AssignedCalendar extends CalendarDefinition {
  scope: string;
  scope_id: string;
}

export interface ConversationFacts {
  id: string;
  contactId: string;
  teamId: string | null;
  priority: number;
  replyInboxId: string | null;
  lastChannel: Channel | null;
  openedAt: Date;
}

interface EventRow {
  seq: string;
  type: string;
  actor_type: MetricEvent['actorType'];
  actor_id: string | null;
  channel: Channel | null;
  inbox_id: string | null;
  occurred_at: Date;
  data: Record<string, unknown>;
}

/** The columns of `conversation_metrics`, in insert order, and how each is read off a cycle. */
/** A conversation's rows from cycle $2 on ($1: the conversation). */
const DELETE_FROM_CYCLE = `DELETE FROM conversation_metrics WHERE conversation_id = $1 AND cycle >= $2`;

/** Rows per INSERT in `replace` (PostgreSQL takes at most 65,535 parameters a statement). */
const CYCLES_PER_STATEMENT = 500;

const COLUMNS: Array<[string, (cycle: CycleMetrics) => unknown]> = [
  ['cycle', (c) => c.cycle],
  ['inbox_id', (c) => c.inboxId],
  ['channel', (c) => c.channel],
  ['team_id', (c) => c.teamId],
  ['assignee_id', (c) => c.assigneeId],
  ['first_assigned_at', (c) => c.firstAssignedAt],
  ['assign_seconds', (c) => c.timeToAssignSeconds],
  ['assignment_count', (c) => c.assignmentCount],
  ['assignment_kinds', (c) => JSON.stringify(c.assignmentKinds)],
  ['priority', (c) => c.priority],
  ['started_at', (c) => c.startedAt],
  ['first_customer_at', (c) => c.firstCustomerAt],
  ['first_response_at', (c) => c.firstResponseAt],
  ['first_responder_id', (c) => c.firstResponderId],
  ['frt_seconds', (c) => c.firstResponse?.seconds ?? null],
  ['frt_business_seconds', (c) => c.firstResponse?.business ?? null],
  ['next_reply_seconds', (c) => c.nextReplies.map((sample) => sample.seconds)],
  ['next_reply_business_seconds', (c) => c.nextReplies.map((sample) => sample.business)],
  ['next_reply_agent_ids', (c) => c.nextReplies.map((sample) => sample.agentId)],
  ['resolved_at', (c) => c.resolvedAt],
  ['resolved_by', (c) => c.resolvedById],
  ['auto_resolved', (c) => c.autoResolved],
  ['resolution_seconds', (c) => c.resolution?.seconds ?? null],
  ['resolution_business_seconds', (c) => c.resolution?.business ?? null],
  ['active_resolution_seconds', (c) => c.activeResolution?.seconds ?? null],
  ['active_resolution_business_seconds', (c) => c.activeResolution?.business ?? null],
  ['last_resolve', (c) => c.lastResolve],
  ['reopened', (c) => c.reopened],
  ['agent_replies', (c) => c.agentReplies],
  ['customer_messages', (c) => c.customerMessages],
  ['channel_switches', (c) => c.channelSwitches],
  ['pending_seconds', (c) => c.pendingSeconds],
  ['snoozed_seconds', (c) => c.snoozedSeconds],
  ['handle_seconds', (c) => Object.values(c.handleByAgent).reduce((sum, value) => sum + value, 0)],
  ['handle_by_agent', (c) => JSON.stringify(c.handleByAgent)],
  ['fcr_candidate', (c) => c.fcrCandidate],
  ['fcr_window_ends_at', (c) => c.fcrWindowEndsAt],
  ['repeat_contact', (c) => c.repeatContact],
  ['sla_policy_id', (c) => c.sla?.policyId ?? null],
  ['frt_due_at', (c) => c.sla?.firstResponseDueAt ?? null],
  ['resolution_due_at', (c) => c.sla?.resolutionDueAt ?? null],
  ['next_reply_targets', (c) => c.sla?.nextReplyTargets ?? 0],
  ['next_reply_breaches', (c) => c.sla?.nextReplyBreaches ?? 0],
  ['open_wait_due_at', (c) => c.sla?.openWaitDueAt ?? null],
];

export interface SlaStateRow {
  sla_policy_id: string;
  policy_name: string | null;
  first_response_at: Date | null;
  frt_due_at: Date | null;
  resolved_at: Date | null;
  resolution_due_at: Date | null;
  open_wait_due_at: Date | null;
  next_reply_targets: number;
  next_reply_breaches: number;
  computed_at: Date;
}

/** The stored form of a cycle, compared column by column by the rebuild check. */
export type StoredCycle = Record<string, unknown>;

/** Reads the event log and writes `conversation_metrics`; the only SQL of the metrics pipeline. */
@Injectable()
export class MetricsRepository {
  /** A workspace's calendar assignments with their calendars (every metrics fold asks which applies). */
  private readonly calendars: LocalCache<AssignedCalendar[]>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly rollups: RollupsRepository,
    caches: LocalCaches,
  ) {
    this.calendars = caches.cache('business-calendars');
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** READ COMMITTED, the connections' default (dataSourceOptions): no `SET TRANSACTION` round trip. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Serializes recomputations of one conversation across workers, for the transaction. */
  async lockConversation(manager: EntityManager, conversationId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`, [conversationId]);
  }

  async computedSeq(manager: EntityManager, conversationId: string): Promise<bigint | null> {
    const rows: Array<{ seq: string | null }> = await manager.query(
      `SELECT max(computed_seq)::text AS seq FROM conversation_metrics WHERE conversation_id = $1`,
      [conversationId],
    );
    return rows[0]?.seq ? BigInt(rows[0].seq) : null;
  }

  async conversation(
    manager: EntityManager,
    workspaceId: string,
    conversationId: string,
  ): Promise<ConversationFacts | null> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      `SELECT id, contact_id, team_id, priority, reply_inbox_id, last_channel, opened_at
         FROM conversations WHERE workspace_id = $1 AND id = $2 AND merged_into_id IS NULL`,
      [workspaceId, conversationId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id as string,
      contactId: row.contact_id as string,
      teamId: row.team_id as string | null,
      priority: Number(row.priority),
      replyInboxId: row.reply_inbox_id as string | null,
      lastChannel: row.last_channel as Channel | null,
      openedAt: row.opened_at as Date,
    };
  }

  async events(manager: EntityManager, conversationId: string): Promise<MetricEvent[]> {
    const rows: EventRow[] = await manager.query(
      `SELECT seq::text AS seq, type, actor_type, actor_id, channel, inbox_id, occurred_at, data
         FROM conversation_events WHERE conversation_id = $1 ORDER BY seq`,
      [conversationId],
    );
    return rows.map((row) => ({
      seq: Number(row.seq),
      type: row.type,
      actorType: row.actor_type,
      actorId: row.actor_id,
      channel: row.channel,
      inboxId: row.inbox_id,
      at: row.occurred_at,
      data: row.data,
    }));
  }

  /** When the contact's other conversations opened (repeat contacts are judged against these). */
  async otherOpenings(
    manager: EntityManager,
    workspaceId: string,
    contactId: string,
    conversationId: string,
  ): Promise<Date[]> {
    const rows: Array<{ opened_at: Date }> = await manager.query(
      `SELECT opened_at FROM conversations
        WHERE workspace_id = $1 AND contact_id = $2 AND id <> $3 AND merged_into_id IS NULL`,
      [workspaceId, contactId, conversationId],
    );
    return rows.map((row) => row.opened_at);
  }

  /** The contact's other conversations resolved before `at`, whose repeat-contact window may include it. */
  async resolvedBefore(
    manager: EntityManager,
    workspaceId: string,
    contactId: string,
    conversationId: string,
    at: Date,
    windowSeconds: number,
  ): Promise<string[]> {
    const rows: Array<{ id: string }> = await manager.query(
      `SELECT id FROM conversations
        WHERE workspace_id = $1 AND contact_id = $2 AND id <> $3 AND status = 'resolved'
          AND resolved_at < $4 AND resolved_at >= $4::timestamptz - make_interval(secs => $5)`,
      [workspaceId, contactId, conversationId, at, windowSeconds],
    );
    return rows.map((row) => row.id);
  }

  /** The calendar for a team, else the inbox, else the workspace; null when none is set (24/7). */
  async calendarFor(
    manager: EntityManager,
    workspaceId: string,
    teamId: string | null,
    inboxId: string | null,
  ): Promise<CalendarDefinition | null> {
    const assigned = await this.calendars.get(workspaceId, () =>
      manager.query<AssignedCalendar[]>(
        `SELECT a.scope, a.scope_id, c.timezone, c.week, c.holidays
             FROM calendar_assignments a JOIN business_calendars c ON c.id = a.calendar_id
            WHERE a.workspace_id = $1`,
        [workspaceId],
      ),
    );
    const at = (scope: string, id: string | null) =>
      id === null ? undefined : assigned.find((row) => row.scope === scope && row.scope_id === id);
    const row = at('team', teamId) ?? at('inbox', inboxId) ?? at('workspace', workspaceId);
    return row ? { timezone: row.timezone, week: row.week, holidays: row.holidays } : null;
  }

  /** Call after a calendar or an assignment of this workspace changed (in every process). */
  calendarsChanged(workspaceId: string): Promise<void> {
    return this.calendars.invalidate(workspaceId);
  }

  /**
   * Replaces a conversation's cycle rows, and journals the rollups' difference. Each cycle's row is
   * updated in place (an update that leaves the indexed columns alone is HOT: no index written, where
   * a delete and an insert wrote all ten), rows of cycles that no longer exist are deleted, and the
   * rollup change is computed in the database: one statement for up to 500 cycles.
   */
  async replace(
    manager: EntityManager,
    workspaceId: string,
    facts: ConversationFacts,
    cycles: CycleMetrics[],
    seq: bigint,
  ): Promise<void> {
    await this.rollups.enter(manager, workspaceId);
    if (cycles.length && cycles.length <= CYCLES_PER_STATEMENT) {
      const params: unknown[] = [facts.id, cycles.length];
      const upsert = this.upsert(workspaceId, facts, cycles, seq, params);
      await this.rollups.rewrite(
        manager,
        workspaceId,
        facts.id,
        [`gone AS (${DELETE_FROM_CYCLE})`, `written AS (${upsert} RETURNING *)`],
        params,
      );
      return;
    }
    // None left, or thousands: the rows in several statements, the rollups from their difference.
    const before = await this.rollups.contribution(manager, facts.id);
    await manager.query(DELETE_FROM_CYCLE, [facts.id, cycles.length]);
    for (let from = 0; from < cycles.length; from += CYCLES_PER_STATEMENT) {
      const params: unknown[] = [];
      const chunk = cycles.slice(from, from + CYCLES_PER_STATEMENT);
      await manager.query(this.upsert(workspaceId, facts, chunk, seq, params), params);
    }
    const after = await this.rollups.contribution(manager, facts.id);
    await this.rollups.apply(manager, workspaceId, before, after);
  }

  /** `INSERT … ON CONFLICT DO UPDATE` of the cycles' rows, its values appended to `params`. */
  private upsert(
    workspaceId: string,
    facts: ConversationFacts,
    cycles: CycleMetrics[],
    seq: bigint,
    params: unknown[],
  ): string {
    const names = [
      'workspace_id',
      'conversation_id',
      'contact_id',
      'computed_seq',
      ...COLUMNS.map(([name]) => name),
    ];
    const rows = cycles.map((cycle) => {
      const values = [
        workspaceId,
        facts.id,
        facts.contactId,
        seq.toString(),
        ...COLUMNS.map(([, read]) => read(cycle)),
      ];
      return `(${values.map((value) => `$${params.push(value)}`).join(', ')})`;
    });
    const updates = names
      .filter((name) => name !== 'conversation_id' && name !== 'cycle')
      .map((name) => `${name} = excluded.${name}`);
    return `INSERT INTO conversation_metrics (${names.join(', ')}) VALUES ${rows.join(', ')}
            ON CONFLICT (conversation_id, cycle) DO UPDATE SET ${updates.join(', ')}`;
  }

  /** Drops a conversation's rows (and their part of the rollups). */
  async discard(manager: EntityManager, conversationId: string): Promise<void> {
    const [row]: Array<{ workspace_id: string }> = await manager.query(
      `SELECT workspace_id FROM conversation_metrics WHERE conversation_id = $1 LIMIT 1`,
      [conversationId],
    );
    if (!row) return;
    await this.rollups.enter(manager, row.workspace_id);
    const before = await this.rollups.contribution(manager, conversationId);
    await manager.query(DELETE_FROM_CYCLE, [conversationId, 0]);
    await this.rollups.apply(manager, row.workspace_id, before, []);
  }

  /** Drops the rows of conversations that were merged into others (of one workspace, or all). */
  async discardMerged(workspaceId: string | null): Promise<void> {
    const merged: Array<{ conversation_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT m.conversation_id FROM conversation_metrics m JOIN conversations c ON c.id = m.conversation_id
        WHERE c.merged_into_id IS NOT NULL AND ($1::uuid IS NULL OR m.workspace_id = $1)`,
      [workspaceId],
    );
    for (const { conversation_id: id } of merged) {
      await this.transaction(async (manager) => {
        await this.lockConversation(manager, id);
        await this.discard(manager, id);
      });
    }
  }

  /** The SLA state of the conversation's latest cycle, as last computed; null without a policy. */
  async slaState(workspaceId: string, conversationId: string): Promise<SlaStateRow | null> {
    const rows: SlaStateRow[] = await this.manager.query(
      `SELECT m.sla_policy_id, p.name AS policy_name, m.first_response_at, m.frt_due_at, m.resolved_at,
              m.resolution_due_at, m.open_wait_due_at, m.next_reply_targets, m.next_reply_breaches, m.computed_at
         FROM conversation_metrics m LEFT JOIN sla_policies p ON p.id = m.sla_policy_id
        WHERE m.workspace_id = $1 AND m.conversation_id = $2 AND m.sla_policy_id IS NOT NULL
        ORDER BY m.cycle DESC LIMIT 1`,
      [workspaceId, conversationId],
    );
    return rows[0] ?? null;
  }

  /** The stored rows of a conversation, comparable to a fresh computation (rebuild check). */
  async stored(manager: EntityManager, conversationId: string): Promise<StoredCycle[]> {
    return manager.query(
      `SELECT ${COLUMNS.map(([name]) => name).join(', ')} FROM conversation_metrics
        WHERE conversation_id = $1 ORDER BY cycle`,
      [conversationId],
    );
  }

  /** Conversations of a workspace (or all), in id order, a page at a time. */
  async conversationIds(
    workspaceId: string | null,
    after: string | null,
    limit: number,
  ): Promise<Array<{ id: string; workspaceId: string }>> {
    const rows: Array<{ id: string; workspace_id: string }> = await this.dataSource.query(
      `SELECT id, workspace_id FROM conversations
        WHERE merged_into_id IS NULL AND ($1::uuid IS NULL OR workspace_id = $1) AND ($2::uuid IS NULL OR id > $2)
        ORDER BY id LIMIT $3`,
      [workspaceId, after, limit],
    );
    return rows.map((row) => ({ id: row.id, workspaceId: row.workspace_id }));
  }
}
