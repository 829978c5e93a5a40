import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { WorkspacesService } from '@parley/accounts';
import { JobQueues } from '@parley/jobs';
import { ConversationsService } from '@parley/inbox';
import { BusinessClock, type Clock } from './business-calendar.js';
import {
  foldConversation,
  rankOf,
  type CycleMetrics,
  type SlaTimer,
  type SlaTimerKind,
} from './metrics-fold.js';
import { MetricsRepository, type ConversationFacts } from './metrics.repository.js';
import { RollupsRepository } from './rollups.repository.js';
import { SlaPoliciesService } from './sla-policies.service.js';

const DAY_SECONDS = 86_400;

export type SlaTargetState = 'running' | 'met' | 'breached' | 'none';

export interface SlaTimersView {
  policy: { id: string; name: string | null } | null;
  /** Targets that apply to the current cycle; `next_reply` is the customer's wait running now. */
  targets: Array<{ kind: SlaTimerKind; state: SlaTargetState; dueAt: string | null; doneAt: string | null }>;
  /** Next-reply targets of the cycle judged so far, and how many breached. */
  nextReply: { judged: number; breached: number } | null;
}

export interface RebuildReport {
  conversations: number;
  cycles: number;
  /** Conversations whose stored rows differed from the recomputation before it replaced them. */
  mismatched: string[];
  /** Daily rollup rows the incremental path had differently from the set-based refill (0 = they agree). */
  rollupMismatches: number;
}

/**
 * Keeps `conversation_metrics` in step with the event log. Every recomputation folds the whole
 * log of one conversation, so the incremental path and the rebuild are the same function.
 */
@Injectable()
export class MetricsService {
  private readonly logger = new Logger(MetricsService.name);

  constructor(
    private readonly repository: MetricsRepository,
    private readonly rollups: RollupsRepository,
    private readonly policies: SlaPoliciesService,
    private readonly conversations: ConversationsService,
    private readonly queues: JobQueues,
    private readonly workspaces: WorkspacesService,
  ) {}

  /**
   * Recomputes one conversation (a no-op when a later job already covered `seq`), then the contact's
   * earlier conversations whose repeat-contact window this one falls in, and arms the SLA timers.
   */
  async refresh(workspaceId: string, conversationId: string, seq: bigint): Promise<void> {
    // Most jobs of a burst find an earlier one computed through their event already: one read, no lock.
    // (`computed_seq` only moves forward, and a rebuild replaces a conversation's rows in one transaction.)
    const done = await this.repository.computedSeq(this.repository.manager, conversationId);
    if (done !== null && done >= seq) return;
    const result = await this.repository.transaction(async (manager) => {
      await this.repository.lockConversation(manager, conversationId);
      const computed = await this.repository.computedSeq(manager, conversationId);
      if (computed !== null && computed >= seq) return null;
      const recomputed = await this.recompute(manager, workspaceId, conversationId);
      return recomputed && { ...recomputed, firstTime: computed === null };
    });
    if (!result) return;
    // A conversation opens once: that is when it can become a repeat contact of the contact's earlier ones.
    const opened = result.cycles[0]?.startedAt;
    if (result.firstTime && opened) {
      const earlier = await this.repository.resolvedBefore(
        this.repository.manager,
        workspaceId,
        result.facts.contactId,
        conversationId,
        opened,
        result.fcrWindowSeconds,
      );
      for (const id of earlier) {
        await this.repository.transaction(async (manager) => {
          await this.repository.lockConversation(manager, id);
          await this.recompute(manager, workspaceId, id);
        });
      }
    }
    await this.arm(workspaceId, conversationId, result.cycles.at(-1)?.timers ?? []);
  }

  /**
   * `metrics.rollups`: folds every workspace's journaled rollup changes into `metrics_daily` (reports
   * read both, so this changes no figure, only how much a report reads from the journal).
   */
  async foldInRollups(): Promise<number> {
    let moved = 0;
    for (const workspaceId of await this.rollups.pendingWorkspaces())
      moved += await this.rollups.foldIn(workspaceId);
    return moved;
  }

  /**
   * An SLA timer fired: if the target is still running with the same due time, record the warning
   * or breach (once) and alert agents; otherwise the target was met or moved, and nothing happens.
   */
  async checkSla(
    workspaceId: string,
    conversationId: string,
    kind: SlaTimerKind,
    stage: 'warning' | 'breach',
    dueAt: string,
  ): Promise<boolean> {
    const result = await this.repository.transaction(async (manager) => {
      await this.repository.lockConversation(manager, conversationId);
      return this.recompute(manager, workspaceId, conversationId);
    });
    const last = result?.cycles.at(-1);
    const timer = last?.timers.find((item) => item.kind === kind && item.dueAt?.toISOString() === dueAt);
    if (!timer || !last?.sla) return false;
    const at = stage === 'warning' ? timer.warnAt : timer.dueAt;
    if (!at || at.getTime() > Date.now()) return false;
    return this.conversations.recordSlaAlert(workspaceId, conversationId, {
      kind,
      stage,
      dueAt,
      policyId: last.sla.policyId,
    });
  }

  /**
   * The conversation's SLA targets for its view: each running one with its due time (the agent's
   * countdown), or met/breached. Warnings and breaches also arrive live as `sla.alert`.
   */
  async slaTimers(workspaceId: string, conversationId: string): Promise<SlaTimersView> {
    const row = await this.repository.slaState(workspaceId, conversationId);
    if (!row) return { policy: null, targets: [], nextReply: null };
    const now = Date.now();
    const target = (kind: SlaTimerKind, due: Date | null, done: Date | null) => {
      const dueAt = due ? new Date(due) : null;
      const doneAt = done ? new Date(done) : null;
      const state: SlaTargetState = !dueAt
        ? 'none'
        : doneAt
          ? doneAt <= dueAt
            ? 'met'
            : 'breached'
          : dueAt.getTime() <= now
            ? 'breached'
            : 'running';
      return { kind, state, dueAt: dueAt?.toISOString() ?? null, doneAt: doneAt?.toISOString() ?? null };
    };
    const wait = row.open_wait_due_at ? new Date(row.open_wait_due_at) : null;
    return {
      policy: { id: row.sla_policy_id, name: row.policy_name },
      targets: [
        target('first_response', row.frt_due_at, row.first_response_at),
        target('next_reply', wait, null),
        target('resolution', row.resolution_due_at, row.resolved_at),
      ].filter((item) => item.state !== 'none'),
      nextReply: { judged: row.next_reply_targets, breached: row.next_reply_breaches },
    };
  }

  /**
   * Recomputes every conversation (of one workspace, or all) from the event log and reports which
   * stored rows differed: after a definition or calendar change, or to prove the incremental result.
   */
  async rebuild(workspaceId: string | null, onProgress?: (done: number) => void): Promise<RebuildReport> {
    const report: RebuildReport = { conversations: 0, cycles: 0, mismatched: [], rollupMismatches: 0 };
    await this.repository.discardMerged(workspaceId);
    let after: string | null = null;
    for (;;) {
      const page = await this.repository.conversationIds(workspaceId, after, 500);
      if (!page.length) break;
      for (const { id, workspaceId: owner } of page) {
        await this.repository.transaction(async (manager) => {
          await this.repository.lockConversation(manager, id);
          const before = await this.repository.stored(manager, id);
          const result = await this.recompute(manager, owner, id);
          const after = await this.repository.stored(manager, id);
          report.cycles += result?.cycles.length ?? 0;
          if (JSON.stringify(before) !== JSON.stringify(after)) report.mismatched.push(id);
        });
        report.conversations += 1;
      }
      after = page[page.length - 1].id;
      onProgress?.(report.conversations);
    }
    if (report.mismatched.length) {
      this.logger.warn(`Rebuild replaced the metrics of ${report.mismatched.length} conversations`);
    }
    report.rollupMismatches = (await this.rollups.rebuild(workspaceId)).mismatchedCells;
    return report;
  }

  private async recompute(
    manager: EntityManager,
    workspaceId: string,
    conversationId: string,
  ): Promise<{ facts: ConversationFacts; cycles: CycleMetrics[]; fcrWindowSeconds: number } | null> {
    const facts = await this.repository.conversation(manager, workspaceId, conversationId);
    if (!facts) {
      // Merged into another conversation (or gone): its cycles are counted there, not here.
      await this.repository.discard(manager, conversationId);
      return null;
    }
    const events = await this.repository.events(manager, conversationId);
    if (!events.length) return null;
    // The log records changes only: a conversation started with the first change's `from`.
    const firstChange = (type: string) => events.find((event) => event.type === type)?.data;
    const team = firstChange('team_changed');
    const initial = {
      teamId: team ? (typeof team.from === 'string' ? team.from : null) : facts.teamId,
      priority: rankOf(firstChange('priority_changed')?.from, facts.priority),
    };
    const definition = await this.repository.calendarFor(
      manager,
      workspaceId,
      facts.teamId,
      facts.replyInboxId,
    );
    const clock: Clock = definition ? new BusinessClock(definition) : BusinessClock.ALWAYS;
    const sla = await this.policies.targetsFor(workspaceId, facts, manager);
    const { settings } = await this.workspaces.get(workspaceId, manager);
    const fcrWindowSeconds = fcrWindowDays(settings.fcrWindowDays) * DAY_SECONDS;
    const cycles = foldConversation(events, {
      clock,
      fcrWindowSeconds,
      otherOpenings: await this.repository.otherOpenings(
        manager,
        workspaceId,
        facts.contactId,
        conversationId,
      ),
      sla,
      initial,
    });
    await this.repository.replace(manager, workspaceId, facts, cycles, BigInt(events[events.length - 1].seq));
    return { facts, cycles, fcrWindowSeconds };
  }

  /** One delayed job per running target and stage; a job id per due time makes re-arming idempotent. */
  private async arm(workspaceId: string, conversationId: string, timers: SlaTimer[]): Promise<void> {
    const now = Date.now();
    for (const timer of timers) {
      if (!timer.dueAt) continue;
      const dueAt = timer.dueAt.toISOString();
      for (const [stage, at] of [
        ['warning', timer.warnAt],
        ['breach', timer.dueAt],
      ] as const) {
        if (!at) continue;
        await this.queues.add({
          name: 'metrics.sla',
          data: { workspaceId, conversationId, kind: timer.kind, stage, dueAt },
          jobId: `sla-${conversationId}-${timer.kind}-${stage}-${timer.dueAt.getTime()}`,
          delayMs: Math.max(0, at.getTime() - now),
        });
      }
    }
  }
}

const DEFAULT_FCR_WINDOW_DAYS = 7;

/** The workspace's repeat-contact window for FCR, in days (a missing or broken setting: the default). */
function fcrWindowDays(setting: unknown): number {
  const days = Number(setting ?? DEFAULT_FCR_WINDOW_DAYS);
  return Number.isFinite(days) && days >= 0 ? days : DEFAULT_FCR_WINDOW_DAYS;
}
