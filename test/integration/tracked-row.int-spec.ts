import { randomUUID } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { hydrate, insertRow, TrackedRow, TransactionRunner } from '@parley/database';
import { Inbox } from '@parley/inbox';
import { createWorkspace, type WorkspaceFixture } from '@parley/testing';
import { bootDomain } from '../support/integration.js';

describe('hand-written rows: TrackedRow, insertRow, hydrate', () => {
  let moduleRef: TestingModule;
  let tx: TransactionRunner;
  let db: DataSource;
  let ws: WorkspaceFixture;

  beforeAll(async () => {
    moduleRef = await bootDomain();
    tx = moduleRef.get(TransactionRunner);
    db = moduleRef.get(DataSource);
    ws = await createWorkspace(moduleRef);
  });

  afterAll(() => moduleRef.close());

  const stored = async (id: string) =>
    (
      await db.query<
        Array<{ name: string; config: Record<string, unknown>; enabled: boolean; updated_at: Date }>
      >(`SELECT name, config, enabled, updated_at FROM inboxes WHERE id = $1`, [id])
    )[0];

  it('writes changed columns only (JSON by content), and nothing at all when nothing changed', async () => {
    const { id } = await ws.addInbox({ channel: 'api', name: 'Before' });
    const untouched = await stored(id);
    await tx.run(async (manager) => {
      const inbox = await manager.findOneOrFail(Inbox, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      // A JSON column replaced by an equal value, and no other change: no statement, no new updated_at.
      inbox.config = JSON.parse(JSON.stringify(inbox.config)) as Inbox['config'];
      await new TrackedRow(manager, Inbox, inbox).write();
    });
    expect(await stored(id)).toEqual(untouched);

    await tx.run(async (manager) => {
      const inbox = await manager.findOneOrFail(Inbox, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      const row = new TrackedRow(manager, Inbox, inbox);
      // Written meanwhile by this same transaction, outside the entity: a column the row did not change stays.
      await manager.query(`UPDATE inboxes SET enabled = false WHERE id = $1`, [id]);
      inbox.name = 'After';
      inbox.config = { ...inbox.config, note: 'changed' };
      await row.write();
    });
    const after = await stored(id);
    expect(after).toMatchObject({
      name: 'After',
      enabled: false,
      config: expect.objectContaining({ note: 'changed' }),
    });
    expect(after.updated_at.getTime()).toBeGreaterThan(untouched.updated_at.getTime());
  });

  it('inserts the values an entity has, reads the defaults back, and hydrates rows as TypeORM does', async () => {
    const manager = db.manager;
    const inbox = manager.create(Inbox, {
      id: randomUUID(),
      workspaceId: ws.workspaceId,
      name: 'Raw',
      channel: 'api',
      teamId: null,
      enabled: true,
      config: { nested: { list: [1, 2] } },
      assignment: { mode: 'off' },
    });
    await insertRow(manager, Inbox, inbox);
    // Left to their DEFAULT and read back: the timestamps and the health column.
    expect(inbox.createdAt).toBeInstanceOf(Date);
    expect(inbox.health).toEqual({ status: 'ok' });
    const [row] = await manager.query<Array<Record<string, unknown>>>(`SELECT * FROM inboxes WHERE id = $1`, [
      inbox.id,
    ]);
    const hydrated = hydrate(manager, Inbox, row);
    expect(hydrated).toBeInstanceOf(Inbox);
    expect(hydrated).toEqual(inbox);
    // What TypeORM reads (without the select: false secrets column) is the same.
    const found = await manager.findOneByOrFail(Inbox, { id: inbox.id });
    expect({ ...hydrated, secrets: undefined }).toEqual({ ...found });
  });
});
