import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { TrackedRow, TransactionRunner } from '@parley/database';
import { JobQueues, OutboxRelay, OutboxRepository } from '@parley/jobs';
import { rooms } from '@parley/realtime';
import { ConversationRepository } from './conversation.repository.js';
import { Effects, SYSTEM } from './effects.js';
import { Conversation, type AssignmentPolicy } from './inbox.entities.js';
import { toConversationView } from './views.js';

/** Where auto-assignment applies: a team (its members) or an inbox (its team, else everyone). */
export type AssignmentScope = `inbox:${string}` | `team:${string}`;

interface Candidate {
  userId: string;
  capacity: number;
  channelCapacity: Record<string, number>;
  total: number;
  byChannel: Record<string, number>;
}

interface ScopeInfo {
  policy: AssignmentPolicy;
  label: string;
  /** The team whose members are candidates, or null for every member of the workspace. */
  teamId: string | null;
}

const BATCH = 50;
const MAX_BATCHES = 40;
const ACTIVE = `status IN ('open', 'pending')`;

/**
 * Auto-assignment. One run serves one scope: it locks the scope's cursor row (so runs of a scope
 * are serial across processes) and the candidates' membership rows in id order (so two scopes
 * sharing agents cannot both fill the same last slot), then hands waiting conversations to online
 * agents under capacity, by round robin or least load, and records why.
 */
@Injectable()
export class AssignmentService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly conversations: ConversationRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly queues: JobQueues,
  ) {}

  /** Assigns waiting conversations of one scope; resolves with how many were assigned. */
  async run(workspaceId: string, scope: AssignmentScope): Promise<number> {
    const assigned = await this.tx.run(async (manager) => {
      const info = await this.scopeInfo(manager, workspaceId, scope);
      if (!info || info.policy.mode === 'off') return 0;
      await manager.query(
        `INSERT INTO assignment_cursors (workspace_id, scope) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [workspaceId, scope],
      );
      const [cursor] = await manager.query<Array<{ last_user_id: string | null }>>(
        `SELECT last_user_id FROM assignment_cursors WHERE workspace_id = $1 AND scope = $2 FOR UPDATE`,
        [workspaceId, scope],
      );
      const candidates = await this.candidates(manager, workspaceId, info.teamId);
      if (candidates.length === 0) return 0;

      const effects = new Effects(workspaceId);
      let last = cursor?.last_user_id ?? null;
      let count = 0;
      // Batch after batch until nobody has room or nothing is left; conversations no one can take
      // now (a full channel, the agent it was requeued from) are stepped over, not waited behind.
      const skipped: string[] = [];
      for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
        if (!candidates.some((c) => c.total < c.capacity)) break;
        const waiting = await this.waiting(manager, workspaceId, scope, info.policy, skipped);
        if (waiting.length === 0) break;
        for (const conversation of waiting) {
          const channel = conversation.lastChannel ?? 'other';
          const eligible = candidates.filter(
            (c) =>
              c.userId !== conversation.requeuedFrom &&
              c.total < c.capacity &&
              (c.channelCapacity[channel] === undefined ||
                (c.byChannel[channel] ?? 0) < c.channelCapacity[channel]),
          );
          if (eligible.length === 0) {
            skipped.push(conversation.id);
            continue;
          }
          const chosen =
            info.policy.mode === 'round_robin' ? nextAfter(eligible, last) : leastLoaded(eligible, last);
          const before = `${chosen.total}/${chosen.capacity}`;
          chosen.total += 1;
          chosen.byChannel[channel] = (chosen.byChannel[channel] ?? 0) + 1;
          last = chosen.userId;
          const reason = `${info.policy.mode === 'round_robin' ? 'round robin' : 'least loaded'} ${before}, online, ${info.label}`;
          await this.assignTo(manager, effects, conversation, chosen.userId, reason, info.policy);
          count += 1;
        }
      }
      await manager.query(
        `UPDATE assignment_cursors SET last_user_id = $3, updated_at = now() WHERE workspace_id = $1 AND scope = $2`,
        [workspaceId, scope, last],
      );
      await effects.flush(manager, this.outbox);
      return count;
    });
    if (assigned > 0) this.relay.kick();
    return assigned;
  }

  /** Runs the scope a conversation belongs to (if it is still waiting and has one). */
  async runForConversation(workspaceId: string, conversationId: string): Promise<number> {
    const conversation = await this.conversations.findById(workspaceId, conversationId);
    if (!conversation || conversation.assigneeId) return 0;
    const scope = await this.scopeOf(workspaceId, conversation);
    return scope ? this.run(workspaceId, scope) : 0;
  }

  /** Every scope of the workspace with auto-assignment on (after capacity frees up, an agent comes online …). */
  async runAll(workspaceId: string): Promise<number> {
    const scopes: Array<{ scope: AssignmentScope }> = await this.tx.manager.query(
      `SELECT 'team:' || id AS scope FROM teams WHERE workspace_id = $1 AND assignment->>'mode' <> 'off'
       UNION ALL
       SELECT 'inbox:' || id AS scope FROM inboxes WHERE workspace_id = $1 AND enabled AND assignment->>'mode' <> 'off'`,
      [workspaceId],
    );
    let total = 0;
    for (const { scope } of scopes) total += await this.run(workspaceId, scope);
    return total;
  }

  /** Asks for a sweep of the workspace soon (an agent came online or freed capacity). Best effort. */
  async requestSweep(workspaceId: string): Promise<void> {
    await this.queues.add(sweepJob(workspaceId)).catch(() => undefined);
  }

  /**
   * An agent went offline: conversations they hold in scopes with `requeueOnOffline` go back to the
   * queue (skipping them next time). Resolves with how many.
   */
  async releaseOffline(workspaceId: string, userId: string): Promise<number> {
    const held: Array<{ id: string }> = await this.tx.manager.query(
      `SELECT id FROM conversations WHERE workspace_id = $1 AND assignee_id = $2 AND ${ACTIVE}`,
      [workspaceId, userId],
    );
    let released = 0;
    for (const { id } of held) {
      const done = await this.tx.run(async (manager) => {
        const conversation = await this.conversations.lockById(manager, workspaceId, id);
        if (
          conversation?.assigneeId !== userId ||
          (conversation.status !== 'open' && conversation.status !== 'pending')
        )
          return false;
        const scope = await this.scopeOf(workspaceId, conversation, manager);
        const info = scope ? await this.scopeInfo(manager, workspaceId, scope) : null;
        if (!scope || !info?.policy.requeueOnOffline) return false;
        await this.unassign(manager, conversation, scope, 'the assignee went offline', { reason: 'offline' });
        return true;
      });
      if (done) released += 1;
    }
    if (released) this.relay.kick();
    return released;
  }

  /** Workspaces with something to assign; the periodic sweep walks these. */
  async workspacesWaiting(): Promise<string[]> {
    const rows: Array<{ workspace_id: string }> = await this.tx.manager.query(
      `SELECT DISTINCT c.workspace_id FROM conversations c
        WHERE c.assignee_id IS NULL AND c.${ACTIVE}
          AND (EXISTS (SELECT 1 FROM inboxes i WHERE i.id = c.reply_inbox_id AND i.assignment->>'mode' <> 'off')
            OR EXISTS (SELECT 1 FROM teams t WHERE t.id = c.team_id AND t.assignment->>'mode' <> 'off'))`,
    );
    return rows.map((row) => row.workspace_id);
  }

  /** The scope a conversation is auto-assigned in: its team's when the team has a policy, else its inbox's. */
  async scopeOf(
    workspaceId: string,
    conversation: Pick<Conversation, 'teamId' | 'replyInboxId'>,
    manager = this.tx.manager,
  ): Promise<AssignmentScope | null> {
    if (conversation.teamId) {
      const [team] = await manager.query<Array<{ mode: string | null }>>(
        `SELECT assignment->>'mode' AS mode FROM teams WHERE workspace_id = $1 AND id = $2`,
        [workspaceId, conversation.teamId],
      );
      if (team && team.mode !== 'off') return `team:${conversation.teamId}`;
    }
    return conversation.replyInboxId ? `inbox:${conversation.replyInboxId}` : null;
  }

  /**
   * Gives a conversation back to the queue when its assignee has not replied since it was
   * assigned. A no-op when anything changed since (reassigned, replied, resolved).
   */
  async requeue(
    workspaceId: string,
    conversationId: string,
    assignedAt: Date,
    afterMinutes: number,
  ): Promise<boolean> {
    const requeued = await this.tx.run(async (manager) => {
      const conversation = await this.conversations.lockById(manager, workspaceId, conversationId);
      if (!conversation?.assigneeId || conversation.assignedAt?.getTime() !== assignedAt.getTime())
        return false;
      if (conversation.status !== 'open' && conversation.status !== 'pending') return false;
      const replied: unknown[] = await manager.query(
        `SELECT 1 FROM messages WHERE conversation_id = $1 AND sender_type = 'agent' AND kind = 'text' AND author_id = $2 AND created_at >= $3 LIMIT 1`,
        [conversation.id, conversation.assigneeId, assignedAt],
      );
      if (replied.length > 0) return false;
      const scope = await this.scopeOf(workspaceId, conversation, manager);
      await this.unassign(manager, conversation, scope, `requeued after ${afterMinutes} min without reply`, {
        afterMinutes,
      });
      return true;
    });
    if (requeued) this.relay.kick();
    return requeued;
  }

  /** Back to the queue: the previous assignee is skipped by the next run, which is queued now. */
  private async unassign(
    manager: EntityManager,
    conversation: Conversation,
    scope: AssignmentScope | null,
    reason: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    const workspaceId = conversation.workspaceId;
    const previous = conversation.assigneeId;
    const row = new TrackedRow(manager, Conversation, conversation);
    conversation.assigneeId = null;
    conversation.assignedAt = null;
    conversation.assignmentReason = null;
    conversation.requeuedFrom = previous;
    await row.write();
    const effects = new Effects(workspaceId);
    effects.event(conversation, 'requeued', SYSTEM, { data: { from: previous, ...data } });
    effects.event(conversation, 'unassigned', SYSTEM, { data: { from: previous, to: null, reason } });
    const view = toConversationView(
      conversation,
      await this.conversations.labelsOf(workspaceId, conversation.id, manager),
    );
    effects.realtime(
      'conversation.assigned',
      [rooms.workspace(workspaceId), ...(previous ? [rooms.agent(previous)] : [])],
      {
        conversation: view,
        previousAssigneeId: previous,
        actorId: null,
      },
    );
    effects.conversationUpdated(view);
    if (scope) effects.job(assignmentRunJob(workspaceId, scope));
    await effects.flush(manager, this.outbox);
  }

  private async assignTo(
    manager: EntityManager,
    effects: Effects,
    conversation: Conversation,
    userId: string,
    reason: string,
    policy: AssignmentPolicy,
  ): Promise<void> {
    const now = new Date();
    const row = new TrackedRow(manager, Conversation, conversation);
    conversation.assigneeId = userId;
    conversation.assignedAt = now;
    conversation.assignmentReason = reason;
    conversation.assignmentCount += 1;
    conversation.requeuedFrom = null;
    await row.write();
    effects.event(conversation, 'assigned', SYSTEM, {
      data: { from: null, to: userId, reason: 'auto', detail: reason },
    });
    const view = toConversationView(
      conversation,
      await this.conversations.labelsOf(conversation.workspaceId, conversation.id, manager),
    );
    effects.realtime(
      'conversation.assigned',
      [rooms.workspace(conversation.workspaceId), rooms.agent(userId)],
      {
        conversation: view,
        previousAssigneeId: null,
        actorId: null,
      },
    );
    effects.conversationUpdated(view);
    if (policy.requeueAfterMinutes) {
      effects.job({
        name: 'assignment.requeue',
        data: {
          workspaceId: conversation.workspaceId,
          conversationId: conversation.id,
          assignedAt: now.toISOString(),
          afterMinutes: policy.requeueAfterMinutes,
        },
        jobId: `requeue-${conversation.id}-${now.getTime()}`,
        delayMs: policy.requeueAfterMinutes * 60_000,
      });
    }
  }

  private async scopeInfo(
    manager: EntityManager,
    workspaceId: string,
    scope: AssignmentScope,
  ): Promise<ScopeInfo | null> {
    const [kind, id] = scope.split(':') as ['inbox' | 'team', string];
    if (kind === 'team') {
      const [team] = await manager.query<
        Array<{
          name: string;
          assignment: AssignmentPolicy;
        }>
      >(`SELECT name, assignment FROM teams WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
      return team ? { policy: team.assignment, label: `team ${team.name}`, teamId: id } : null;
    }
    const [inbox] = await manager.query<
      Array<{
        name: string;
        assignment: AssignmentPolicy;
        team_id: string | null;
        team_name: string | null;
      }>
    >(
      `SELECT i.name, i.assignment, i.team_id, t.name AS team_name FROM inboxes i LEFT JOIN teams t ON t.id = i.team_id
        WHERE i.workspace_id = $1 AND i.id = $2 AND i.enabled`,
      [workspaceId, id],
    );
    if (!inbox) return null;
    return {
      policy: inbox.assignment,
      label: inbox.team_name ? `team ${inbox.team_name}` : `inbox ${inbox.name}`,
      teamId: inbox.team_id,
    };
  }

  /** Unassigned, unresolved conversations of the scope, in the policy's order; skip those another run holds. */
  private async waiting(
    manager: EntityManager,
    workspaceId: string,
    scope: AssignmentScope,
    policy: AssignmentPolicy,
    skipped: string[],
  ): Promise<Conversation[]> {
    const [kind, id] = scope.split(':') as ['inbox' | 'team', string];
    const where =
      kind === 'team'
        ? 'c.team_id = $2'
        : `c.reply_inbox_id = $2 AND (c.team_id IS NULL OR NOT EXISTS (
             SELECT 1 FROM teams t WHERE t.id = c.team_id AND t.assignment->>'mode' <> 'off'))`;
    const order =
      policy.order === 'priority'
        ? 'c.priority DESC, c.waiting_since ASC NULLS LAST, c.id'
        : 'c.waiting_since ASC NULLS LAST, c.id';
    const rows: Array<{ id: string }> = await manager.query(
      `SELECT c.id FROM conversations c
        WHERE c.workspace_id = $1 AND c.assignee_id IS NULL AND c.${ACTIVE} AND ${where} AND c.id <> ALL($3::uuid[])
        ORDER BY ${order} LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
      [workspaceId, id, skipped],
    );
    if (rows.length === 0) return [];
    const found = await manager.find(Conversation, {
      where: { workspaceId, id: In(rows.map((row) => row.id)) },
    });
    const byId = new Map(found.map((c) => [c.id, c]));
    return rows.flatMap((row) => byId.get(row.id) ?? []);
  }

  /** Online members (of the team, if any), locked in id order, with their current load. */
  private async candidates(
    manager: EntityManager,
    workspaceId: string,
    teamId: string | null,
  ): Promise<Candidate[]> {
    const members: Array<{ user_id: string; capacity: number; channel_capacity: Record<string, number> }> =
      await manager.query(
        `SELECT m.user_id, m.capacity, m.channel_capacity FROM memberships m
        WHERE m.workspace_id = $1 AND m.availability = 'online'
          ${teamId ? 'AND EXISTS (SELECT 1 FROM team_members tm WHERE tm.team_id = $2 AND tm.user_id = m.user_id)' : ''}
        ORDER BY m.user_id FOR UPDATE OF m`,
        teamId ? [workspaceId, teamId] : [workspaceId],
      );
    if (members.length === 0) return [];
    const loads: Array<{ assignee_id: string; last_channel: string | null; count: number }> =
      await manager.query(
        `SELECT assignee_id, last_channel, count(*)::int AS count FROM conversations
        WHERE workspace_id = $1 AND assignee_id = ANY($2::uuid[]) AND ${ACTIVE} GROUP BY 1, 2`,
        [workspaceId, members.map((m) => m.user_id)],
      );
    return members.map((member) => {
      const mine = loads.filter((load) => load.assignee_id === member.user_id);
      return {
        userId: member.user_id,
        capacity: member.capacity,
        channelCapacity: member.channel_capacity,
        total: mine.reduce((sum, load) => sum + load.count, 0),
        byChannel: Object.fromEntries(mine.map((load) => [load.last_channel ?? 'other', load.count])),
      };
    });
  }
}

/** The job that runs a scope soon. Never deduplicated: a run already past its read must not swallow a new trigger. */
export function assignmentRunJob(workspaceId: string, scope: AssignmentScope) {
  return {
    name: 'assignment.run' as const,
    data: { workspaceId, scope },
    jobId: `assign-${scope.replace(':', '-')}-${randomUUID()}`,
  };
}

/**
 * The job that runs the scope of one conversation. The worker resolves the scope, so the state
 * change that asks for it (ingest, unassign) adds no lookup to its transaction.
 */
export function assignConversationJob(workspaceId: string, conversationId: string) {
  return {
    name: 'assignment.conversation' as const,
    data: { workspaceId, conversationId },
    jobId: `assign-conversation-${conversationId}-${randomUUID()}`,
  };
}

/** The job that sweeps every scope of a workspace soon (capacity freed, an agent came online). */
export function sweepJob(workspaceId: string) {
  return {
    name: 'assignment.sweep' as const,
    data: { workspaceId },
    jobId: `sweep-${workspaceId}-${Math.floor(Date.now() / 500)}`,
  };
}

/** Round robin: the first eligible agent after the last one served (ids in a fixed order). */
function nextAfter(eligible: Candidate[], last: string | null): Candidate {
  return eligible.find((c) => last !== null && c.userId > last) ?? eligible[0];
}

/** Least loaded by share of capacity, then by count; ties continue the rotation. */
function leastLoaded(eligible: Candidate[], last: string | null): Candidate {
  const rotated = [
    ...eligible.filter((c) => last !== null && c.userId > last),
    ...eligible.filter((c) => last === null || c.userId <= last),
  ];
  return rotated.reduce((best, c) =>
    c.total / c.capacity < best.total / best.capacity ||
    (c.total / c.capacity === best.total / best.capacity && c.total < best.total)
      ? c
      : best,
  );
}
