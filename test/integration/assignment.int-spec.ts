import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { MembersService } from '@parley/accounts';
import { AssignmentService, ConversationsService, InboxesService, type AssignmentScope } from '@parley/inbox';
import { MetricsService, ReportsService } from '@parley/reporting';
import { createWorkspace, type WorkspaceFixture } from '@parley/testing';
import { bootDomain } from '../support/integration.js';

describe('auto-assignment', () => {
  let moduleRef: TestingModule;
  let second: TestingModule;
  let db: DataSource;
  let assignment: AssignmentService;
  let members: MembersService;
  let metrics: MetricsService;
  let reports: ReportsService;

  beforeAll(async () => {
    moduleRef = await bootDomain();
    second = await bootDomain({ reset: false }); // a second process: its own pool and services
    db = moduleRef.get(DataSource);
    assignment = moduleRef.get(AssignmentService);
    members = moduleRef.get(MembersService);
    metrics = moduleRef.get(MetricsService);
    reports = moduleRef.get(ReportsService);
  });

  afterAll(async () => {
    await second.close();
    await moduleRef.close();
  });

  /** A workspace with `count` online agents and an API inbox with the given policy. */
  async function setup(
    policy: Record<string, unknown>,
    agents: Array<{
      capacity: number;
      availability?: 'online' | 'busy' | 'offline';
      channelCapacity?: Record<string, number>;
    }>,
  ) {
    const ws = await createWorkspace(moduleRef);
    await members.update(ws.workspaceId, ws.admin.id, { availability: 'offline' });
    const ids: string[] = [];
    for (const agent of agents) {
      const { id } = await ws.addMember('agent');
      await members.update(ws.workspaceId, id, {
        capacity: agent.capacity,
        availability: agent.availability ?? 'online',
        channelCapacity: agent.channelCapacity ?? {},
      });
      ids.push(id);
    }
    const inbox = await ws.addInbox({ channel: 'api' });
    await moduleRef.get(InboxesService).update(ws.workspaceId, inbox.id, { assignment: policy as never });
    return { ws, agents: ids, inboxId: inbox.id, scope: `inbox:${inbox.id}` as AssignmentScope };
  }

  /** `count` waiting conversations, oldest first, inserted in bulk. */
  async function waiting(
    ws: WorkspaceFixture,
    inboxId: string,
    count: number,
    channel = 'api',
  ): Promise<void> {
    await db.query(
      `WITH c AS (
         INSERT INTO contacts (workspace_id, name) SELECT $1, 'Customer ' || g FROM generate_series(1, $3) g RETURNING id
       )
       INSERT INTO conversations (workspace_id, contact_id, status, reply_inbox_id, last_channel, waiting_since, last_message_at)
       SELECT $1, c.id, 'open', $2, $4, now() - (row_number() OVER ()) * interval '1 second', now() FROM c`,
      [ws.workspaceId, inboxId, count, channel],
    );
  }

  const loads = async (workspaceId: string): Promise<Record<string, number>> => {
    const rows: Array<{ assignee_id: string; count: number }> = await db.query(
      `SELECT assignee_id, count(*)::int AS count FROM conversations WHERE workspace_id = $1 AND assignee_id IS NOT NULL GROUP BY 1`,
      [workspaceId],
    );
    return Object.fromEntries(rows.map((r) => [r.assignee_id, r.count]));
  };

  const drain = async (service: AssignmentService, workspaceId: string, scope: AssignmentScope) => {
    let total = 0;
    for (let n = await service.run(workspaceId, scope); n > 0; n = await service.run(workspaceId, scope))
      total += n;
    return total;
  };

  it('spreads 1,000 conversations by round robin within one of equal', async () => {
    const { ws, agents, scope, inboxId } = await setup({ mode: 'round_robin' }, [
      { capacity: 1000 },
      { capacity: 1000 },
      { capacity: 1000 },
      { capacity: 1000 },
    ]);
    await waiting(ws, inboxId, 1000);
    expect(await drain(assignment, ws.workspaceId, scope)).toBe(1000);
    const counts = Object.values(await loads(ws.workspaceId));
    expect(counts).toHaveLength(agents.length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  }, 60_000);

  it('never exceeds a capacity or a channel capacity, and leaves the rest waiting', async () => {
    const { ws, agents, scope, inboxId } = await setup({ mode: 'least_loaded' }, [
      { capacity: 2 },
      { capacity: 3 },
      { capacity: 10, channelCapacity: { api: 1 } },
    ]);
    await waiting(ws, inboxId, 10);
    expect(await drain(assignment, ws.workspaceId, scope)).toBe(6);
    expect(await loads(ws.workspaceId)).toEqual({ [agents[0]]: 2, [agents[1]]: 3, [agents[2]]: 1 });
    const [{ left }] = await db.query(
      `SELECT count(*)::int AS left FROM conversations WHERE workspace_id = $1 AND assignee_id IS NULL`,
      [ws.workspaceId],
    );
    expect(left).toBe(4);
  });

  it('steps over conversations nobody can take now instead of waiting behind them', async () => {
    const { ws, agents, scope, inboxId } = await setup({ mode: 'least_loaded' }, [
      { capacity: 10, channelCapacity: { sms: 0 } },
    ]);
    await waiting(ws, inboxId, 60, 'sms'); // older, but this agent takes no SMS
    await db.query(
      `UPDATE conversations SET waiting_since = now() - interval '1 hour' WHERE workspace_id = $1`,
      [ws.workspaceId],
    );
    await waiting(ws, inboxId, 5, 'api');
    expect(await assignment.run(ws.workspaceId, scope)).toBe(5);
    expect(await loads(ws.workspaceId)).toEqual({ [agents[0]]: 5 });
  });

  it('gives work only to online agents, and explains each choice', async () => {
    const { ws, agents, scope, inboxId } = await setup({ mode: 'least_loaded' }, [
      { capacity: 5, availability: 'busy' },
      { capacity: 5, availability: 'offline' },
      { capacity: 5 },
    ]);
    await waiting(ws, inboxId, 2);
    await drain(assignment, ws.workspaceId, scope);
    expect(Object.keys(await loads(ws.workspaceId))).toEqual([agents[2]]);
    const reasons: Array<{ assignment_reason: string }> = await db.query(
      `SELECT assignment_reason FROM conversations WHERE workspace_id = $1 ORDER BY assigned_at, id`,
      [ws.workspaceId],
    );
    expect(reasons.map((r) => r.assignment_reason).sort()).toEqual([
      expect.stringMatching(/^least loaded 0\/5, online, inbox /),
      expect.stringMatching(/^least loaded 1\/5, online, inbox /),
    ]);
  });

  it('never assigns twice or overfills when two processes run overlapping scopes at once', async () => {
    const { ws, agents, inboxId } = await setup({ mode: 'least_loaded' }, [
      { capacity: 7 },
      { capacity: 7 },
      { capacity: 7 },
    ]);
    const team = await moduleRef
      .get(DataSource)
      .query(
        `INSERT INTO teams (workspace_id, name, assignment) VALUES ($1, 'Night shift', '{"mode": "round_robin"}') RETURNING id`,
        [ws.workspaceId],
      );
    const teamId = team[0].id as string;
    await db.query(
      `INSERT INTO team_members (workspace_id, team_id, user_id) SELECT $1, $2, unnest($3::uuid[])`,
      [ws.workspaceId, teamId, agents],
    );
    await waiting(ws, inboxId, 40);
    await db.query(
      `UPDATE conversations SET team_id = $2 WHERE workspace_id = $1 AND id IN (SELECT id FROM conversations WHERE workspace_id = $1 ORDER BY id LIMIT 20)`,
      [ws.workspaceId, teamId],
    );
    const other = second.get(AssignmentService);
    await Promise.all([
      drain(assignment, ws.workspaceId, `inbox:${inboxId}`),
      drain(other, ws.workspaceId, `team:${teamId}`),
      drain(other, ws.workspaceId, `inbox:${inboxId}`),
      drain(assignment, ws.workspaceId, `team:${teamId}`),
    ]);
    const perAgent = await loads(ws.workspaceId);
    expect(Object.values(perAgent).every((count) => count <= 7)).toBe(true);
    expect(Object.values(perAgent).reduce((a, b) => a + b, 0)).toBe(21);
    const twice: unknown[] = await db.query(
      `SELECT conversation_id FROM conversation_events WHERE workspace_id = $1 AND type = 'assigned' GROUP BY 1 HAVING count(*) > 1`,
      [ws.workspaceId],
    );
    expect(twice).toEqual([]);
  });

  it('requeues after silence, to someone else, and not after a reply', async () => {
    const { ws, agents, scope, inboxId } = await setup({ mode: 'round_robin', requeueAfterMinutes: 10 }, [
      { capacity: 5 },
      { capacity: 5 },
    ]);
    await waiting(ws, inboxId, 1);
    await drain(assignment, ws.workspaceId, scope);
    const [first] = await db.query(
      `SELECT id, assignee_id, assigned_at FROM conversations WHERE workspace_id = $1`,
      [ws.workspaceId],
    );
    expect(
      await assignment.requeue(ws.workspaceId, first.id, new Date(first.assigned_at.getTime() + 1), 10),
    ).toBe(false); // stale timer
    expect(await assignment.requeue(ws.workspaceId, first.id, first.assigned_at, 10)).toBe(true);
    const [after] = await db.query(`SELECT assignee_id, requeued_from FROM conversations WHERE id = $1`, [
      first.id,
    ]);
    expect(after).toEqual({ assignee_id: null, requeued_from: first.assignee_id });
    const events: Array<{ type: string }> = await db.query(
      `SELECT type FROM conversation_events WHERE conversation_id = $1 ORDER BY seq`,
      [first.id],
    );
    expect(events.map((e) => e.type)).toEqual(['assigned', 'requeued', 'unassigned']);
    await drain(assignment, ws.workspaceId, scope);
    const [again] = await db.query(
      `SELECT assignee_id, assigned_at, assignment_count FROM conversations WHERE id = $1`,
      [first.id],
    );
    expect(again.assignee_id).toBe(agents.find((a) => a !== first.assignee_id));
    expect(again.assignment_count).toBe(2); // one bounce

    // A reply from the assignee stops the timer.
    await moduleRef
      .get(ConversationsService)
      .addNote(ws.workspaceId, { type: 'agent', id: again.assignee_id }, first.id, 'looking');
    await db.query(
      `INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender_type, author_id, kind, body, status, created_at)
       SELECT workspace_id, id, contact_id, 'out', 'agent', $2, 'text', 'On it', 'sent', now() FROM conversations WHERE id = $1`,
      [first.id, again.assignee_id],
    );
    expect(await assignment.requeue(ws.workspaceId, first.id, again.assigned_at, 10)).toBe(false);
  });

  it("gives an offline agent's conversations back only where the policy asks, and reports time to assign", async () => {
    const { ws, agents, scope, inboxId } = await setup({ mode: 'round_robin', requeueOnOffline: true }, [
      { capacity: 5 },
      { capacity: 5 },
    ]);
    await waiting(ws, inboxId, 4);
    await drain(assignment, ws.workspaceId, scope);
    await members.update(ws.workspaceId, agents[0], { availability: 'offline' });
    expect(await assignment.releaseOffline(ws.workspaceId, agents[0])).toBe(2);
    await drain(assignment, ws.workspaceId, scope);
    expect(await loads(ws.workspaceId)).toEqual({ [agents[1]]: 4 });
    const kept = await setup({ mode: 'round_robin' }, [{ capacity: 5 }]);
    await waiting(kept.ws, kept.inboxId, 1);
    await drain(assignment, kept.ws.workspaceId, kept.scope);
    expect(await assignment.releaseOffline(kept.ws.workspaceId, kept.agents[0])).toBe(0);

    // The report reads the metrics the worker folds from the event log after each commit.
    const logged: Array<{ id: string; seq: string }> = await db.query(
      `SELECT conversation_id AS id, max(seq)::text AS seq FROM conversation_events WHERE workspace_id = $1 GROUP BY 1`,
      [ws.workspaceId],
    );
    for (const { id, seq } of logged) await metrics.refresh(ws.workspaceId, id, BigInt(seq));
    const report = await reports.assignment({
      workspaceId: ws.workspaceId,
      from: new Date(Date.now() - 3600_000),
      to: new Date(Date.now() + 60_000),
    });
    expect(report).toMatchObject({
      conversationsOpened: 4,
      conversationsAssigned: 4,
      bouncedConversations: 2,
      assignments: { auto: 6, manual: 0, self: 0, requeued: 2 },
    });
    expect(report.timeToAssignSeconds).toMatchObject({ median: expect.any(Number), p90: expect.any(Number) });
  });

  it('records manual assignment with who did it', async () => {
    const { ws, agents, inboxId } = await setup({ mode: 'off' }, [{ capacity: 5 }]);
    await waiting(ws, inboxId, 1);
    const [conversation] = await db.query(`SELECT id FROM conversations WHERE workspace_id = $1`, [
      ws.workspaceId,
    ]);
    const view = await moduleRef
      .get(ConversationsService)
      .assign(ws.workspaceId, { type: 'agent', id: ws.admin.id }, conversation.id, { assigneeId: agents[0] });
    expect(view.assignmentReason).toBe('manual by Admin');
    expect(view.assignmentCount).toBe(1);
    expect(await assignment.run(ws.workspaceId, `inbox:${inboxId}`)).toBe(0); // policy off
  });
});
