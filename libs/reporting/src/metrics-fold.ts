import { PRIORITIES } from '@parley/inbox';
import type { Channel, Priority } from '@parley/realtime';
import type { Clock } from './business-calendar.js';

/** One row of the conversation's event log, as the fold reads it. */
export interface MetricEvent {
  seq: number;
  type: string;
  actorType: 'contact' | 'agent' | 'bot' | 'system';
  actorId: string | null;
  channel: Channel | null;
  inboxId: string | null;
  at: Date;
  data: Record<string, unknown>;
}

/** SLA targets in seconds; `businessHours` counts them against the conversation's calendar. */
export interface SlaTargets {
  policyId: string;
  firstResponseSeconds: number | null;
  nextReplySeconds: number | null;
  resolutionSeconds: number | null;
  businessHours: boolean;
  /** Share of a target after which a warning fires (0.8 → warn at 80 % of the target). */
  warnAt: number;
}

export interface FoldContext {
  clock: Clock;
  fcrWindowSeconds: number;
  /** When the same contact opened other conversations (any channel), for repeat contacts. */
  otherOpenings: Date[];
  sla: SlaTargets | null;
  /** Team and priority the conversation started with (the log records changes only). */
  initial: { teamId: string | null; priority: number };
}

/** Channels where a conversation is a live exchange; handle time pauses 10 minutes after the customer's last message. */
export const LIVE_CHANNELS: ReadonlySet<Channel> = new Set([
  'webchat',
  'sms',
  'whatsapp',
  'messenger',
  'instagram',
]);
export const HANDLE_IDLE_SECONDS = 600;

export interface Duration {
  seconds: number;
  business: number;
}

export type SlaTimerKind = 'first_response' | 'next_reply' | 'resolution';

/** How a conversation got an assignee (the event's `reason`), or lost one to the queue. */
export const ASSIGNMENT_KINDS = ['auto', 'manual', 'self', 'requeued'] as const;
export type AssignmentKind = (typeof ASSIGNMENT_KINDS)[number];

/** A running SLA target: when it warns and when it breaches. */
export interface SlaTimer {
  kind: SlaTimerKind;
  startedAt: Date;
  warnAt: Date | null;
  dueAt: Date | null;
}

export interface CycleMetrics {
  cycle: number;
  startedAt: Date;
  /** The inbox and channel of the customer's first message in the cycle (else of the opening event). */
  inboxId: string | null;
  channel: Channel | null;
  firstCustomerAt: Date | null;
  firstResponseAt: Date | null;
  firstResponderId: string | null;
  firstResponse: Duration | null;
  nextReplies: Array<Duration & { agentId: string | null; breached: boolean | null }>;
  resolvedAt: Date | null;
  resolvedById: string | null;
  autoResolved: boolean;
  /** Resolve − the conversation's first customer message (first resolution time on cycle 0). */
  resolution: Duration | null;
  /** Resolution minus time spent pending or snoozed. */
  activeResolution: Duration | null;
  /** This cycle is the conversation's latest and it is resolved now (full resolution time). */
  lastResolve: boolean;
  reopened: boolean;
  agentReplies: number;
  customerMessages: number;
  channelSwitches: number;
  pendingSeconds: number;
  snoozedSeconds: number;
  handleByAgent: Record<string, number>;
  assigneeId: string | null;
  /**
   * Conversation-level, kept on cycle 0: the first assignment, the seconds from opening to it (calendar
   * time: assignment runs around the clock), how many assignments there were (above 1: bounced), and
   * the assignment events by kind.
   */
  firstAssignedAt: Date | null;
  timeToAssignSeconds: number | null;
  assignmentCount: number;
  assignmentKinds: Partial<Record<AssignmentKind, number>>;
  teamId: string | null;
  priority: number;
  /** Conversation-level outcome, kept on cycle 0: FCR candidate until its window closes. */
  fcrCandidate: boolean;
  fcrWindowEndsAt: Date | null;
  repeatContact: boolean;
  sla: {
    policyId: string;
    firstResponseDueAt: Date | null;
    resolutionDueAt: Date | null;
    nextReplyTargets: number;
    nextReplyBreaches: number;
    openWaitDueAt: Date | null;
  } | null;
  timers: SlaTimer[];
}

type Status = 'open' | 'pending' | 'snoozed' | 'resolved';

interface CycleState {
  metrics: CycleMetrics;
  /** When the current pending or snoozed spell began. */
  pausedSince: Date | null;
}

/** A priority name's rank (the order of inbox's PRIORITIES); `fallback` for anything else. */
export function rankOf(name: unknown, fallback: number): number {
  const rank = PRIORITIES.indexOf(name as Priority);
  return rank >= 0 ? rank : fallback;
}

function seconds(from: Date, to: Date): number {
  return Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
}

function countKind(metrics: CycleMetrics, kind: AssignmentKind): void {
  metrics.assignmentKinds[kind] = (metrics.assignmentKinds[kind] ?? 0) + 1;
}

/** `auto`, `self` or `manual` as the event says; anything else (older events had none) is manual. */
function assignmentKind(reason: unknown): AssignmentKind {
  return reason === 'auto' || reason === 'self' ? reason : 'manual';
}

function isCustomerMessage(event: MetricEvent): boolean {
  return event.type === 'customer_message' && !event.data.auto;
}

/**
 * Folds one conversation's event log into per-cycle metrics, exactly as METRICS.md defines them.
 * Pure and independent of the wall clock: durations run up to the latest event (an open
 * conversation's handle and pending time grow with its next event), and outcomes that depend on
 * time passing (FCR windows, SLA breaches without a reply) are judged by the report queries. So
 * the incremental path and the rebuild command give identical rows.
 */
export function foldConversation(events: MetricEvent[], context: FoldContext): CycleMetrics[] {
  const { clock } = context;
  const duration = (from: Date, to: Date): Duration => ({
    seconds: seconds(from, to),
    business: clock.businessSeconds(from, to),
  });
  const slaClock = context.sla?.businessHours ? clock : null;
  const deadline = (from: Date, targetSeconds: number | null, share = 1): Date | null => {
    if (targetSeconds === null) return null;
    const span = Math.round(targetSeconds * share);
    return slaClock ? slaClock.addBusinessSeconds(from, span) : new Date(from.getTime() + span * 1000);
  };

  const cycles: CycleState[] = [];
  const state: { status: Status } = { status: 'open' };
  let assigneeId: string | null = null;
  let teamId = context.initial.teamId;
  let priority = context.initial.priority;
  let firstCustomerAt: Date | null = null;
  let firstResponseAt: Date | null = null;
  let waitingSince: Date | null = null;
  let lastCustomerAt: Date | null = null;
  let lastCustomerChannel: Channel | null = null;
  let pausedSeconds = 0;
  let pausedBusiness = 0;
  let clockAt: Date | null = null;
  let totalAgentReplies = 0;
  let reopens = 0;

  const current = (): CycleState | undefined => cycles[cycles.length - 1];
  const startCycle = (event: MetricEvent): void => {
    cycles.push({
      pausedSince: null,
      metrics: {
        cycle: cycles.length,
        startedAt: event.at,
        inboxId: event.inboxId,
        channel: event.channel,
        firstCustomerAt: null,
        firstResponseAt: null,
        firstResponderId: null,
        firstResponse: null,
        nextReplies: [],
        resolvedAt: null,
        resolvedById: null,
        autoResolved: false,
        resolution: null,
        activeResolution: null,
        lastResolve: false,
        reopened: false,
        agentReplies: 0,
        customerMessages: 0,
        channelSwitches: 0,
        pendingSeconds: 0,
        snoozedSeconds: 0,
        handleByAgent: {},
        assigneeId: null,
        firstAssignedAt: null,
        timeToAssignSeconds: null,
        assignmentCount: 0,
        assignmentKinds: {},
        teamId: null,
        priority: 0,
        fcrCandidate: false,
        fcrWindowEndsAt: null,
        repeatContact: false,
        sla: null,
        timers: [],
      },
    });
  };

  /** Handle time runs while open and assigned, and on live channels only until 10 min after the customer's last message. */
  const advanceHandle = (to: Date): void => {
    const cycle = current();
    if (clockAt && cycle && state.status === 'open' && assigneeId) {
      let end = to.getTime();
      if (lastCustomerChannel && LIVE_CHANNELS.has(lastCustomerChannel)) {
        end = Math.min(end, (lastCustomerAt?.getTime() ?? clockAt.getTime()) + HANDLE_IDLE_SECONDS * 1000);
      }
      const spent = Math.max(0, Math.round((end - clockAt.getTime()) / 1000));
      if (spent > 0)
        cycle.metrics.handleByAgent[assigneeId] = (cycle.metrics.handleByAgent[assigneeId] ?? 0) + spent;
    }
    clockAt = to;
  };

  const leaveStatus = (at: Date): void => {
    const cycle = current();
    if (!cycle?.pausedSince || (state.status !== 'pending' && state.status !== 'snoozed')) return;
    const spent = duration(cycle.pausedSince, at);
    if (state.status === 'pending') cycle.metrics.pendingSeconds += spent.seconds;
    else cycle.metrics.snoozedSeconds += spent.seconds;
    pausedSeconds += spent.seconds;
    pausedBusiness += spent.business;
    cycle.pausedSince = null;
  };

  const enterStatus = (next: Status, at: Date): void => {
    leaveStatus(at);
    state.status = next;
    const cycle = current();
    if (!cycle) return;
    if (next === 'pending' || next === 'snoozed') cycle.pausedSince = at;
  };

  for (const event of events) {
    advanceHandle(event.at);
    if (!current() || event.type === 'reopened') {
      if (event.type === 'reopened') {
        const previous = current();
        if (previous) previous.metrics.reopened = true;
        reopens += 1;
      }
      startCycle(event);
      state.status = 'open';
    }
    const cycle = current() as CycleState;
    const metrics = cycle.metrics;
    switch (event.type) {
      case 'customer_message': {
        if (!isCustomerMessage(event)) break;
        if (metrics.customerMessages === 0) {
          metrics.firstCustomerAt = event.at;
          metrics.inboxId = event.inboxId ?? metrics.inboxId;
          metrics.channel = event.channel ?? metrics.channel;
        }
        if (lastCustomerChannel && event.channel && event.channel !== lastCustomerChannel) {
          metrics.channelSwitches += 1;
        }
        metrics.customerMessages += 1;
        firstCustomerAt ??= event.at;
        lastCustomerAt = event.at;
        lastCustomerChannel = event.channel ?? lastCustomerChannel;
        waitingSince ??= event.at;
        if (state.status === 'pending' || state.status === 'snoozed') enterStatus('open', event.at);
        break;
      }
      case 'agent_reply': {
        if (event.actorType !== 'agent') break;
        metrics.agentReplies += 1;
        totalAgentReplies += 1;
        if (firstCustomerAt && !firstResponseAt) {
          firstResponseAt = event.at;
          metrics.firstResponseAt = event.at;
          metrics.firstResponderId = event.actorId;
          metrics.firstResponse = duration(firstCustomerAt, event.at);
        } else if (waitingSince) {
          const due = deadline(waitingSince, context.sla?.nextReplySeconds ?? null);
          metrics.nextReplies.push({
            ...duration(waitingSince, event.at),
            agentId: event.actorId,
            breached: due ? event.at > due : null,
          });
        }
        waitingSince = null;
        break;
      }
      case 'assigned':
      case 'unassigned':
        assigneeId = typeof event.data.to === 'string' ? event.data.to : null;
        if (event.type === 'assigned') {
          cycles[0].metrics.firstAssignedAt ??= event.at;
          countKind(cycles[0].metrics, assignmentKind(event.data.reason));
        }
        break;
      case 'requeued':
        countKind(cycles[0].metrics, 'requeued');
        break;
      case 'team_changed':
        teamId = typeof event.data.to === 'string' ? event.data.to : null;
        break;
      case 'priority_changed':
        priority = rankOf(event.data.to, priority);
        break;
      case 'snoozed':
        enterStatus('snoozed', event.at);
        break;
      case 'unsnoozed':
        enterStatus(event.data.to === 'pending' ? 'pending' : 'open', event.at);
        break;
      case 'status_changed': {
        const to = event.data.to;
        if (to === 'open' || to === 'pending' || to === 'snoozed') enterStatus(to, event.at);
        break;
      }
      case 'resolved': {
        leaveStatus(event.at);
        state.status = 'resolved';
        waitingSince = null;
        metrics.resolvedAt = event.at;
        metrics.resolvedById = event.actorType === 'agent' ? event.actorId : null;
        metrics.autoResolved = event.actorType !== 'agent';
        if (firstCustomerAt) {
          metrics.resolution = duration(firstCustomerAt, event.at);
          metrics.activeResolution = {
            seconds: Math.max(0, metrics.resolution.seconds - pausedSeconds),
            business: Math.max(0, metrics.resolution.business - pausedBusiness),
          };
        }
        break;
      }
      default:
        break;
    }
    metrics.assigneeId = assigneeId;
    metrics.teamId = teamId;
    metrics.priority = priority;
  }

  const last = current();
  if (!last) return [];
  if (state.status === 'resolved') last.metrics.lastResolve = true;

  const first = cycles[0].metrics;
  if (first.firstAssignedAt) first.timeToAssignSeconds = seconds(first.startedAt, first.firstAssignedAt);
  const { auto = 0, manual = 0, self = 0 } = first.assignmentKinds;
  first.assignmentCount = auto + manual + self;

  // First-contact resolution and repeat contacts, judged from the conversation's latest resolve.
  const resolvedAt = last.metrics.resolvedAt;
  if (state.status === 'resolved' && resolvedAt) {
    const windowEnd = new Date(resolvedAt.getTime() + context.fcrWindowSeconds * 1000);
    const repeat = context.otherOpenings.some((at) => at > resolvedAt && at <= windowEnd);
    last.metrics.repeatContact = repeat;
    first.fcrWindowEndsAt = new Date(
      (first.resolvedAt ?? resolvedAt).getTime() + context.fcrWindowSeconds * 1000,
    );
    first.fcrCandidate = totalAgentReplies <= 1 && reopens === 0 && !repeat;
  } else if (first.resolvedAt) {
    // Reopened and open again: decided, not first-contact resolved.
    first.fcrWindowEndsAt = new Date(first.resolvedAt.getTime() + context.fcrWindowSeconds * 1000);
    first.fcrCandidate = false;
  }

  if (context.sla)
    applySla(
      cycles.map((cycle) => cycle.metrics),
      context.sla,
      {
        deadline,
        firstCustomerAt,
        firstResponseAt,
        waitingSince,
        resolved: state.status === 'resolved',
      },
    );
  return cycles.map((cycle) => cycle.metrics);
}

function applySla(
  cycles: CycleMetrics[],
  sla: SlaTargets,
  state: {
    deadline: (from: Date, target: number | null, share?: number) => Date | null;
    firstCustomerAt: Date | null;
    firstResponseAt: Date | null;
    waitingSince: Date | null;
    resolved: boolean;
  },
): void {
  const { deadline } = state;
  for (const metrics of cycles) {
    const start = metrics.firstCustomerAt ?? metrics.startedAt;
    const targets = metrics.nextReplies.filter((sample) => sample.breached !== null);
    metrics.sla = {
      policyId: sla.policyId,
      firstResponseDueAt:
        metrics.cycle === 0 && state.firstCustomerAt
          ? deadline(state.firstCustomerAt, sla.firstResponseSeconds)
          : null,
      resolutionDueAt: metrics.firstCustomerAt ? deadline(start, sla.resolutionSeconds) : null,
      nextReplyTargets: targets.length,
      nextReplyBreaches: targets.filter((sample) => sample.breached).length,
      openWaitDueAt: null,
    };
  }
  const last = cycles[cycles.length - 1];
  if (state.resolved || !last.sla) return;
  const timer = (kind: SlaTimerKind, from: Date, target: number | null): SlaTimer | null =>
    target === null
      ? null
      : { kind, startedAt: from, warnAt: deadline(from, target, sla.warnAt), dueAt: deadline(from, target) };
  const running: Array<SlaTimer | null> = [];
  if (state.firstCustomerAt && !state.firstResponseAt) {
    running.push(timer('first_response', state.firstCustomerAt, sla.firstResponseSeconds));
  } else if (state.waitingSince) {
    const wait = timer('next_reply', state.waitingSince, sla.nextReplySeconds);
    last.sla.openWaitDueAt = wait?.dueAt ?? null;
    running.push(wait);
  }
  if (last.firstCustomerAt) {
    running.push(timer('resolution', last.firstCustomerAt, sla.resolutionSeconds));
  }
  last.timers = running.filter((item): item is SlaTimer => item !== null);
}
