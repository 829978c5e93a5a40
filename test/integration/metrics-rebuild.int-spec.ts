import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ConversationsService, IngestService, type Actor } from '@parley/inbox';
import { MetricsService } from '@parley/reporting';
import { createWorkspace, type WorkspaceFixture } from '@parley/testing';
import { bootDomain } from '../support/integration.js';

/** A small deterministic generator (LCG), so a failing history can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('metrics: the incremental result equals a rebuild from the event log', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let ingest: IngestService;
  let conversations: ConversationsService;
  let metrics: MetricsService;
  let ws: WorkspaceFixture;

  beforeAll(async () => {
    moduleRef = await bootDomain();
    db = moduleRef.get(DataSource);
    ingest = moduleRef.get(IngestService);
    conversations = moduleRef.get(ConversationsService);
    metrics = moduleRef.get(MetricsService);
    ws = await createWorkspace(moduleRef);
  });

  afterAll(() => moduleRef.close());

  /** What the worker does after each commit: recompute the touched conversation up to its newest event. */
  async function settle(conversationId: string): Promise<void> {
    const [row] = await db.query<Array<{ seq: string }>>(
      'SELECT max(seq)::text AS seq FROM conversation_events WHERE conversation_id = $1',
      [conversationId],
    );
    await metrics.refresh(ws.workspaceId, conversationId, BigInt(row.seq));
  }

  it('on a randomized history of messages, replies, pending, snoozes, assignments, resolves and reopens', async () => {
    // No reopen window: a message after a resolve opens a new conversation, a repeat contact of the last.
    await db.query(`UPDATE workspaces SET settings = '{"reopenWindowDays": 0}' WHERE id = $1`, [
      ws.workspaceId,
    ]);
    const inboxes = [
      (await ws.addInbox({ channel: 'sms' })).id,
      (await ws.addInbox({ channel: 'whatsapp' })).id,
    ];
    const agents: Actor[] = [
      { type: 'agent', id: (await ws.addMember('agent')).id },
      { type: 'agent', id: (await ws.addMember('agent')).id },
    ];
    const next = random(20261122);
    const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
    const contacts = ['+14155550101', '+14155550102', '+14155550103', '+14155550104'];
    const latest = new Map<string, string>();
    let external = 0;

    for (let step = 0; step < 160; step += 1) {
      const phone = pick(contacts);
      const conversationId = latest.get(phone);
      const action = conversationId
        ? pick(['message', 'reply', 'reply', 'resolve', 'pending', 'snooze', 'open', 'assign', 'reopen'])
        : 'message';
      let touched = conversationId;
      try {
        switch (action) {
          case 'message': {
            const result = await ingest.ingest({
              workspaceId: ws.workspaceId,
              inboxId: pick(inboxes),
              externalId: `m-${(external += 1)}`,
              identities: [{ kind: 'phone', value: phone }],
              body: 'hello',
            });
            touched = result.conversation.id;
            latest.set(phone, touched);
            break;
          }
          case 'reply':
            await conversations.reply(ws.workspaceId, pick(agents), conversationId as string, {
              body: 'on it',
            });
            break;
          case 'resolve':
            await conversations.resolve(ws.workspaceId, pick(agents), conversationId as string);
            break;
          case 'pending':
          case 'open':
            await conversations.setStatus(ws.workspaceId, pick(agents), conversationId as string, action);
            break;
          case 'snooze':
            await conversations.snooze(
              ws.workspaceId,
              pick(agents),
              conversationId as string,
              new Date(Date.now() + 3_600_000),
            );
            break;
          case 'assign':
            await conversations.assign(ws.workspaceId, pick(agents), conversationId as string, {
              assigneeId: pick(agents).id,
            });
            break;
          case 'reopen':
            await conversations.reopen(ws.workspaceId, pick(agents), conversationId as string);
            break;
        }
      } catch (error) {
        // Invalid transitions (resolving a resolved conversation…) are refused and change nothing.
        expect((error as Error).name).toBe('InboxError');
      }
      if (touched) await settle(touched);
    }

    const [shape] = await db.query<Array<Record<string, number>>>(
      `SELECT count(DISTINCT conversation_id)::int AS conversations, count(*)::int AS cycles,
              count(*) FILTER (WHERE reopened)::int AS reopened,
              count(*) FILTER (WHERE repeat_contact)::int AS repeats,
              count(*) FILTER (WHERE pending_seconds + snoozed_seconds > 0 OR active_resolution_seconds IS NOT NULL)::int AS paused,
              count(*) FILTER (WHERE cardinality(next_reply_seconds) > 0)::int AS with_next_reply,
              count(*) FILTER (WHERE handle_by_agent <> '{}')::int AS handled
         FROM conversation_metrics WHERE workspace_id = $1`,
      [ws.workspaceId],
    );
    // The history exercised the rules it is meant to compare.
    expect(shape.conversations).toBeGreaterThan(4);
    expect(shape.cycles).toBeGreaterThan(shape.conversations);
    expect(shape.reopened).toBeGreaterThan(0);
    expect(shape.repeats).toBeGreaterThan(0);
    expect(shape.with_next_reply).toBeGreaterThan(0);
    expect(shape.handled).toBeGreaterThan(0);

    const report = await metrics.rebuild(ws.workspaceId);
    expect(report.conversations).toBe(shape.conversations);
    expect(report.cycles).toBe(shape.cycles);
    expect(report.mismatched).toEqual([]);
  }, 120_000);

  it('notices rows that drifted from the log, and repairs them', async () => {
    const [row] = await db.query<Array<{ conversation_id: string }>>(
      'SELECT conversation_id FROM conversation_metrics WHERE workspace_id = $1 LIMIT 1',
      [ws.workspaceId],
    );
    await db.query(
      'UPDATE conversation_metrics SET agent_replies = agent_replies + 7 WHERE conversation_id = $1',
      [row.conversation_id],
    );
    expect((await metrics.rebuild(ws.workspaceId)).mismatched).toEqual([row.conversation_id]);
    expect((await metrics.rebuild(ws.workspaceId)).mismatched).toEqual([]);
  });
});
