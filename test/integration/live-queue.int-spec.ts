import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ConversationsService, IngestService, type Actor } from '@parley/inbox';
import { ReportsService } from '@parley/reporting';
import { createWorkspace, type WorkspaceFixture } from '@parley/testing';
import { bootDomain } from '../support/integration.js';

interface Row {
  status: string;
  assignee_id: string | null;
  waiting_since: Date | null;
}

describe('live queue: the counts equal those of the conversation rows', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let ingest: IngestService;
  let conversations: ConversationsService;
  let reports: ReportsService;

  beforeAll(async () => {
    moduleRef = await bootDomain();
    db = moduleRef.get(DataSource);
    ingest = moduleRef.get(IngestService);
    conversations = moduleRef.get(ConversationsService);
    reports = moduleRef.get(ReportsService);
  });

  afterAll(() => moduleRef.close());

  /** Customers in every state: waiting, answered, pending, snoozed, resolved; assigned to one of two agents or not. */
  async function populate(ws: WorkspaceFixture, customers: number): Promise<Actor[]> {
    const inboxId = (await ws.addInbox({ channel: 'sms' })).id;
    const agents: Actor[] = [
      { type: 'agent', id: (await ws.addMember('agent')).id },
      { type: 'agent', id: (await ws.addMember('agent')).id },
    ];
    for (let index = 0; index < customers; index += 1) {
      const { conversation } = await ingest.ingest({
        workspaceId: ws.workspaceId,
        inboxId,
        externalId: `live-${index}`,
        identities: [{ kind: 'phone', value: `+1415555${String(1000 + index)}` }],
        body: 'hello',
      });
      const agent = agents[index % 2];
      const id = conversation.id;
      if (index % 3 !== 0) await conversations.assign(ws.workspaceId, agent, id, { assigneeId: agent.id });
      switch (index % 5) {
        case 1:
          await conversations.reply(ws.workspaceId, agent, id, { body: 'on it' });
          break;
        case 2:
          await conversations.setStatus(ws.workspaceId, agent, id, 'pending');
          break;
        case 3:
          await conversations.snooze(ws.workspaceId, agent, id, new Date(Date.now() + 3_600_000));
          break;
        case 4:
          await conversations.resolve(ws.workspaceId, agent, id);
          break;
        default:
          break;
      }
    }
    return agents;
  }

  it('counts open, pending, snoozed, unassigned, waiting and each agent’s load, for its workspace only', async () => {
    const ws = await createWorkspace(moduleRef);
    const agents = await populate(ws, 30);
    await populate(await createWorkspace(moduleRef), 7);

    const live = (await reports.live(ws.workspaceId)) as Record<string, unknown> & {
      agents: Array<{ agentId: string; load: number }>;
    };
    const rows: Row[] = await db.query(
      `SELECT status, assignee_id, waiting_since FROM conversations WHERE workspace_id = $1`,
      [ws.workspaceId],
    );
    const active = (row: Row) => row.status === 'open' || row.status === 'pending';
    const count = (keep: (row: Row) => boolean) => rows.filter(keep).length;
    const oldest = Math.min(
      ...rows.filter((row) => row.status === 'open' && row.waiting_since).map((row) => +row.waiting_since!),
    );
    expect(live).toMatchObject({
      open: count((row) => row.status === 'open'),
      pending: count((row) => row.status === 'pending'),
      snoozed: count((row) => row.status === 'snoozed'),
      unassigned: count((row) => active(row) && !row.assignee_id),
      waiting: count((row) => row.status === 'open' && row.waiting_since !== null),
    });
    // The scenario has each kind, so a count that mixes two of them differs.
    expect(live).toMatchObject({ open: 12, pending: 6, snoozed: 6, unassigned: 6, waiting: 6 });
    expect(Math.abs((live.longestWaitSeconds as number) - (Date.now() - oldest) / 1000)).toBeLessThan(5);
    for (const agent of agents) {
      expect(live.agents.find((row) => row.agentId === agent.id)?.load).toBe(
        count((row) => active(row) && row.assignee_id === agent.id),
      );
    }
    const loads = agents.map((agent) => live.agents.find((row) => row.agentId === agent.id)?.load);
    expect(loads).toEqual([6, 6]);
  });
});
