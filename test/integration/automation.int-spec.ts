import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AutomationService, CatalogService, IngestService, InboxError } from '@parley/inbox';
import { createWorkspace, type WorkspaceFixture } from '@parley/testing';
import { bootDomain } from '../support/integration.js';

describe('automation rules', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let automation: AutomationService;
  let ws: WorkspaceFixture;
  let inboxId: string;
  let teamId: string;
  let n = 0;

  const customer = async (body: string) => {
    const result = await moduleRef.get(IngestService).ingest({
      workspaceId: ws.workspaceId,
      inboxId,
      externalId: `a-${(n += 1)}`,
      identities: [{ kind: 'external', value: `cust-${n}` }],
      body,
    });
    return { conversationId: result.conversation.id, messageId: result.message.id };
  };
  type Fired = { data: { rule: string; actions: Array<{ type: string; ok: boolean; error?: string }> } };
  const timeline = (conversationId: string) =>
    db.query<Fired[]>(
      `SELECT data FROM conversation_events WHERE conversation_id = $1 AND type = 'automation_fired' ORDER BY seq`,
      [conversationId],
    );

  beforeAll(async () => {
    moduleRef = await bootDomain();
    db = moduleRef.get(DataSource);
    automation = moduleRef.get(AutomationService);
    ws = await createWorkspace(moduleRef);
    inboxId = (await ws.addInbox({ channel: 'api' })).id;
    teamId = (
      await db.query(`INSERT INTO teams (workspace_id, name) VALUES ($1, 'Billing') RETURNING id`, [
        ws.workspaceId,
      ])
    )[0].id;
    await moduleRef.get(CatalogService).createLabel(ws.workspaceId, { name: 'refund' });
  });

  afterAll(() => moduleRef.close());

  it('runs matching rules in order, each seeing what the previous one did, and logs every firing', async () => {
    await automation.create(ws.workspaceId, {
      name: 'Billing gets refunds',
      position: 2,
      event: 'message.created',
      conditions: { all: [{ field: 'label', operator: 'includes', value: 'refund' }] },
      actions: [{ type: 'assign_team', teamId }],
    });
    await automation.create(ws.workspaceId, {
      name: 'Spot refunds',
      position: 1,
      event: 'message.created',
      conditions: { any: [{ field: 'message.body', operator: 'matches', value: 'refund|money back' }] },
      actions: [
        { type: 'add_label', label: 'refund' },
        { type: 'set_priority', priority: 'high' },
      ],
    });
    const { conversationId, messageId } = await customer('I want my MONEY BACK');
    expect(await automation.handle(ws.workspaceId, 'message.created', conversationId, messageId, [])).toBe(2);
    const [row] = await db.query(
      `SELECT team_id, priority, assignment_reason FROM conversations WHERE id = $1`,
      [conversationId],
    );
    expect(row).toMatchObject({ team_id: teamId, priority: 3 });
    expect((await timeline(conversationId)).map((e) => e.data.rule)).toEqual([
      'Spot refunds',
      'Billing gets refunds',
    ]);

    const other = await customer('Where is my parcel?');
    expect(
      await automation.handle(ws.workspaceId, 'message.created', other.conversationId, other.messageId, []),
    ).toBe(0);
  });

  it('records an action that cannot be done instead of failing the rest', async () => {
    await automation.create(ws.workspaceId, {
      name: 'Tag and note',
      position: 5,
      event: 'conversation.created',
      conditions: { all: [] },
      actions: [
        { type: 'add_label', label: 'no-such-label' },
        { type: 'add_note', body: 'Auto: new conversation' },
      ],
    });
    const { conversationId } = await customer('hello');
    await automation.handle(ws.workspaceId, 'conversation.created', conversationId, null, []);
    const [fired] = await timeline(conversationId);
    expect(fired.data.actions).toEqual([
      { type: 'add_label', ok: false, error: 'Unknown labels: no-such-label' },
      { type: 'add_note', ok: true },
    ]);
  });

  it('is loop-safe: a rule never re-runs in a chain it started, chains stop at three, and its triggers carry the chain', async () => {
    const rule = await automation.create(ws.workspaceId, {
      name: 'Close thank-yous',
      position: 0,
      event: 'message.created',
      conditions: { all: [{ field: 'message.body', operator: 'equals', value: 'thanks!' }] },
      actions: [{ type: 'resolve' }],
    });
    const { conversationId, messageId } = await customer('thanks!');
    await automation.handle(ws.workspaceId, 'message.created', conversationId, messageId, []);
    const [{ status }] = await db.query(`SELECT status FROM conversations WHERE id = $1`, [conversationId]);
    expect(status).toBe('resolved');
    const jobs: Array<{ payload: { data: { event: string; chain: string[] } } }> = await db.query(
      `SELECT payload FROM outbox WHERE name = 'automation.run' AND payload->'data'->>'conversationId' = $1 AND payload->'data'->>'event' = 'conversation.resolved'`,
      [conversationId],
    );
    expect(jobs.map((j) => j.payload.data.chain)).toEqual([[rule.id]]);
    expect(
      await automation.handle(ws.workspaceId, 'message.created', conversationId, messageId, [rule.id]),
    ).toBe(0);
    expect(
      await automation.handle(ws.workspaceId, 'conversation.created', conversationId, null, ['a', 'b', 'c']),
    ).toBe(0);
    await automation.remove(ws.workspaceId, rule.id);
  });

  it('refuses invalid rules with every problem named', async () => {
    const error = await automation
      .create(ws.workspaceId, {
        name: 'bad',
        event: 'message.created',
        conditions: {
          all: [
            { field: 'channel', operator: 'LIKE', value: '%' },
            { field: 'message.body', operator: 'matches', value: '(x)\\1' },
          ],
        },
        actions: [{ type: 'drop_table' }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InboxError);
    expect((error as InboxError).details).toEqual([
      expect.stringMatching(/^conditions\.all\.0\.operator: "LIKE" is not an operator for channel/),
      expect.stringMatching(/^conditions\.all\.1\.value: is not a valid RE2 pattern/),
      expect.stringMatching(/^actions\.0\.type: /),
    ]);
  });
});
