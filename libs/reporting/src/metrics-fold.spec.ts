import { BusinessClock, type CalendarDefinition } from './business-calendar.js';
import { foldConversation, type FoldContext, type MetricEvent, type SlaTargets } from './metrics-fold.js';

const T0 = new Date('2026-11-16T10:00:00Z'); // a Monday
const MIN = 60;
const ANA = '00000000-0000-4000-8000-0000000000a1';
const BEN = '00000000-0000-4000-8000-0000000000b2';

let seq = 0;
/** One event `minutes` after T0. */
function at(minutes: number, type: string, extra: Partial<MetricEvent> = {}): MetricEvent {
  seq += 1;
  return {
    seq,
    type,
    actorType: type === 'customer_message' ? 'contact' : 'agent',
    actorId: type === 'agent_reply' || type === 'resolved' ? ANA : null,
    channel: 'sms',
    inboxId: 'inbox-sms',
    at: new Date(T0.getTime() + minutes * MIN * 1000),
    data: {},
    ...extra,
  };
}

function context(overrides: Partial<FoldContext> = {}): FoldContext {
  return {
    clock: BusinessClock.ALWAYS,
    fcrWindowSeconds: 7 * 86_400,
    otherOpenings: [],
    sla: null,
    initial: { teamId: null, priority: 0 },
    ...overrides,
  };
}

const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);

describe('foldConversation (golden fixtures, METRICS.md)', () => {
  it('assignment: time to the first assignment, bounces and kinds, kept on the first cycle', () => {
    const cycles = foldConversation(
      [
        at(0, 'opened', { actorType: 'contact' }),
        at(0, 'customer_message'),
        at(3, 'assigned', { actorType: 'system', data: { to: ANA, reason: 'auto' } }),
        at(13, 'requeued', { actorType: 'system', data: { from: ANA, afterMinutes: 10 } }),
        at(13, 'unassigned', { actorType: 'system', data: { from: ANA, to: null } }),
        at(14, 'assigned', { data: { to: BEN, reason: 'self' } }),
        at(20, 'resolved'),
        at(60, 'reopened', { actorType: 'contact' }),
        at(61, 'assigned', { data: { from: null, to: ANA } }),
      ],
      context(),
    );
    expect(cycles).toHaveLength(2);
    expect(cycles[0]).toMatchObject({
      firstAssignedAt: new Date(T0.getTime() + 3 * MIN * 1000),
      timeToAssignSeconds: 3 * MIN,
      assignmentCount: 3,
      assignmentKinds: { auto: 1, requeued: 1, self: 1, manual: 1 },
    });
    expect(cycles[1]).toMatchObject({ firstAssignedAt: null, assignmentCount: 0, assignmentKinds: {} });
  });

  it('assignment: a conversation nobody was assigned has no time to assign', () => {
    const [cycle] = foldConversation(
      [at(0, 'opened', { actorType: 'contact' }), at(0, 'customer_message'), at(5, 'resolved')],
      context(),
    );
    expect(cycle).toMatchObject({ firstAssignedAt: null, timeToAssignSeconds: null, assignmentCount: 0 });
  });
  it('agent-started conversation: FRT runs from the first customer message, not the outbound one', () => {
    const [cycle] = foldConversation(
      [
        at(0, 'opened', { actorType: 'agent', actorId: ANA }),
        at(0, 'agent_reply'),
        at(10, 'customer_message'),
        at(15, 'agent_reply'),
        at(20, 'resolved'),
      ],
      context(),
    );
    expect(cycle.firstResponse).toEqual({ seconds: 5 * MIN, business: 5 * MIN });
    expect(cycle.resolution?.seconds).toBe(10 * MIN);
    expect(cycle.agentReplies).toBe(2);
    expect(cycle.fcrCandidate).toBe(false); // two agent replies
  });

  it('bot then human: bots do not stop the FRT clock', () => {
    const [cycle] = foldConversation(
      [
        at(0, 'opened', { actorType: 'contact' }),
        at(0, 'customer_message'),
        at(1, 'agent_reply', { actorType: 'bot', actorId: null }),
        at(20, 'agent_reply'),
        at(30, 'resolved'),
      ],
      context(),
    );
    expect(cycle.firstResponse?.seconds).toBe(20 * MIN);
    expect(cycle.firstResponderId).toBe(ANA);
    expect(cycle.agentReplies).toBe(1);
    expect(cycle.fcrCandidate).toBe(true);
  });

  it('pending and snoozed time are taken out of active resolution; next reply is measured per wait', () => {
    const [cycle] = foldConversation(
      [
        at(0, 'opened'),
        at(0, 'customer_message'),
        at(5, 'agent_reply'),
        at(10, 'status_changed', { data: { from: 'open', to: 'pending' } }),
        at(70, 'status_changed', { actorType: 'contact', data: { from: 'pending', to: 'open' } }),
        at(70, 'customer_message'),
        at(75, 'agent_reply'),
        at(80, 'snoozed', { data: { until: 'later' } }),
        at(200, 'unsnoozed', { actorType: 'system', data: { from: 'snoozed' } }),
        at(210, 'resolved'),
      ],
      context(),
    );
    expect(cycle.resolution?.seconds).toBe(210 * MIN);
    expect(cycle.pendingSeconds).toBe(60 * MIN);
    expect(cycle.snoozedSeconds).toBe(120 * MIN);
    expect(cycle.activeResolution?.seconds).toBe(30 * MIN);
    expect(cycle.nextReplies.map((sample) => sample.seconds)).toEqual([5 * MIN]);
    expect(cycle.customerMessages).toBe(2);
  });

  it('reopen inside the window: a second cycle, FCR lost, first and full resolution differ', () => {
    const cycles = foldConversation(
      [
        at(0, 'opened'),
        at(0, 'customer_message'),
        at(5, 'agent_reply'),
        at(10, 'resolved'),
        at(24 * 60, 'reopened', { actorType: 'contact', data: { reason: 'customer_message' } }),
        at(24 * 60, 'customer_message', { channel: 'email', inboxId: 'inbox-email' }),
        at(24 * 60 + 30, 'agent_reply'),
        at(24 * 60 + 40, 'resolved'),
      ],
      context(),
    );
    expect(cycles).toHaveLength(2);
    expect(cycles[0].reopened).toBe(true);
    expect(cycles[0].resolution?.seconds).toBe(10 * MIN); // first resolution
    expect(cycles[1].resolution?.seconds).toBe((24 * 60 + 40) * MIN); // full resolution
    expect(cycles[1].lastResolve).toBe(true);
    expect(cycles[0].lastResolve).toBe(false);
    expect(cycles[1].channel).toBe('email');
    expect(cycles[1].channelSwitches).toBe(1);
    expect(cycles[1].nextReplies.map((sample) => sample.seconds)).toEqual([30 * MIN]);
    expect(cycles[0].fcrCandidate).toBe(false);
  });

  it('a reopen outside the window is a new conversation: the first stays first-contact resolved', () => {
    const events = [at(0, 'opened'), at(0, 'customer_message'), at(5, 'agent_reply'), at(10, 'resolved')];
    const [cycle] = foldConversation(events, context({ otherOpenings: [days(9)] }));
    expect(cycle.repeatContact).toBe(false);
    expect(cycle.fcrCandidate).toBe(true);
    expect(cycle.fcrWindowEndsAt?.getTime()).toBe(T0.getTime() + 10 * MIN * 1000 + 7 * 86_400_000);
  });

  it('repeat contact on another channel inside the FCR window: not first-contact resolved', () => {
    const events = [at(0, 'opened'), at(0, 'customer_message'), at(5, 'agent_reply'), at(10, 'resolved')];
    const [cycle] = foldConversation(events, context({ otherOpenings: [days(3)] }));
    expect(cycle.repeatContact).toBe(true);
    expect(cycle.fcrCandidate).toBe(false);
  });

  it('"thank you" after resolve reopens (contract) without adding a reply sample', () => {
    const cycles = foldConversation(
      [
        at(0, 'opened'),
        at(0, 'customer_message'),
        at(5, 'agent_reply'),
        at(10, 'resolved'),
        at(12, 'reopened', { actorType: 'contact' }),
        at(12, 'customer_message'),
        at(13, 'resolved'),
      ],
      context(),
    );
    expect(cycles[0].resolution?.seconds).toBe(10 * MIN);
    expect(cycles[1].resolution?.seconds).toBe(13 * MIN);
    expect(cycles[1].nextReplies).toEqual([]);
    expect(cycles[1].agentReplies).toBe(0);
    expect(cycles[0].fcrCandidate).toBe(false);
  });

  it('auto-replies from the customer side (flagged auto) are not customer messages', () => {
    const [cycle] = foldConversation(
      [
        at(0, 'opened'),
        at(0, 'customer_message', { data: { auto: 'auto-reply' } }),
        at(30, 'customer_message'),
      ],
      context(),
    );
    expect(cycle.customerMessages).toBe(1);
    expect(cycle.firstCustomerAt?.getTime()).toBe(T0.getTime() + 30 * MIN * 1000);
  });

  it('business seconds across a holiday and a DST change', () => {
    const calendar: CalendarDefinition = {
      timezone: 'America/New_York',
      week: {
        mon: [{ start: '09:00', end: '17:00' }],
        tue: [{ start: '09:00', end: '17:00' }],
        wed: [{ start: '09:00', end: '17:00' }],
        thu: [{ start: '09:00', end: '17:00' }],
        fri: [{ start: '09:00', end: '17:00' }],
      },
      holidays: ['2026-11-02'],
    };
    // Friday Oct 30 16:00 EDT → Tuesday Nov 3 10:00 EST, Monday a holiday: 1 h + 1 h
    const start = new Date('2026-10-30T20:00:00Z');
    const reply = new Date('2026-11-03T15:00:00Z');
    const [cycle] = foldConversation(
      [
        { ...at(0, 'opened'), at: start },
        { ...at(0, 'customer_message'), at: start },
        { ...at(0, 'agent_reply'), at: reply },
      ],
      context({ clock: new BusinessClock(calendar) }),
    );
    expect(cycle.firstResponse).toEqual({ seconds: 91 * 3600, business: 2 * 3600 });
  });

  it('SLA: a warning and a due time while the first response runs; breaches judged on replies', () => {
    const sla: SlaTargets = {
      policyId: 'policy-1',
      firstResponseSeconds: 60 * MIN,
      nextReplySeconds: 10 * MIN,
      resolutionSeconds: null,
      businessHours: false,
      warnAt: 0.8,
    };
    const waiting = foldConversation([at(0, 'opened'), at(0, 'customer_message')], context({ sla }));
    expect(waiting[0].timers).toEqual([
      {
        kind: 'first_response',
        startedAt: T0,
        warnAt: new Date(T0.getTime() + 48 * MIN * 1000),
        dueAt: new Date(T0.getTime() + 60 * MIN * 1000),
      },
    ]);
    const answered = foldConversation(
      [
        at(0, 'opened'),
        at(0, 'customer_message'),
        at(70, 'agent_reply'),
        at(80, 'customer_message'),
        at(85, 'agent_reply'),
        at(90, 'customer_message'),
        at(120, 'agent_reply'),
        at(130, 'customer_message'),
      ],
      context({ sla }),
    );
    const [cycle] = answered;
    expect(cycle.sla?.firstResponseDueAt?.getTime()).toBe(T0.getTime() + 60 * MIN * 1000);
    expect(
      cycle.firstResponseAt &&
        cycle.sla?.firstResponseDueAt &&
        cycle.firstResponseAt > cycle.sla.firstResponseDueAt,
    ).toBe(true);
    expect(cycle.nextReplies.map((sample) => sample.breached)).toEqual([false, true]);
    expect(cycle.sla).toMatchObject({ nextReplyTargets: 2, nextReplyBreaches: 1 });
    expect(cycle.sla?.openWaitDueAt?.getTime()).toBe(T0.getTime() + 140 * MIN * 1000);
    expect(cycle.timers.map((timer) => timer.kind)).toEqual(['next_reply']);
  });

  it('handle time: open and assigned, paused 10 minutes after the customer went quiet on live channels', () => {
    const events = (channel: 'webchat' | 'email') => [
      at(0, 'opened', { channel }),
      at(0, 'customer_message', { channel }),
      at(0, 'assigned', { actorType: 'system', data: { from: null, to: ANA } }),
      at(5, 'agent_reply', { channel }),
      at(30, 'assigned', { data: { from: ANA, to: BEN } }),
      at(60, 'resolved', { actorId: BEN }),
    ];
    expect(foldConversation(events('webchat'), context())[0].handleByAgent).toEqual({ [ANA]: 10 * MIN });
    expect(foldConversation(events('email'), context())[0].handleByAgent).toEqual({
      [ANA]: 30 * MIN,
      [BEN]: 30 * MIN,
    });
  });

  it('resolution is attributed to the agent who resolved; an automatic resolve is flagged', () => {
    const [cycle] = foldConversation(
      [at(0, 'opened'), at(0, 'customer_message'), at(5, 'resolved', { actorType: 'bot', actorId: null })],
      context(),
    );
    expect(cycle.autoResolved).toBe(true);
    expect(cycle.resolvedById).toBeNull();
  });
});

describe('foldConversation: status edges', () => {
  it('snoozed straight to pending keeps the clock paused', () => {
    const [cycle] = foldConversation(
      [
        at(0, 'opened'),
        at(0, 'customer_message'),
        at(0, 'assigned', { data: { to: ANA } }),
        at(5, 'agent_reply'),
        at(6, 'snoozed'),
        at(16, 'unsnoozed', { data: { from: 'snoozed', to: 'pending' } }),
        at(46, 'resolved'),
      ],
      context(),
    );
    expect(cycle.snoozedSeconds).toBe(10 * MIN);
    expect(cycle.pendingSeconds).toBe(30 * MIN);
    expect(cycle.activeResolution?.seconds).toBe(6 * MIN);
    expect(cycle.handleByAgent).toEqual({ [ANA]: 6 * MIN });
  });
});
