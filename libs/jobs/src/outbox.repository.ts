import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import type { RealtimeEnvelope } from '@parley/realtime';
import type { JobRequest } from './job-map.js';
import { OutboxEntry } from './outbox.entity.js';

export type OutboxItem = { kind: 'realtime'; envelope: RealtimeEnvelope } | { kind: 'job'; job: JobRequest };

@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Writes outbox rows inside the caller's transaction, so they commit with the state change. */
  append(manager: EntityManager, workspaceId: string, items: OutboxItem[]): Promise<void> {
    return this.appendAll(manager, [{ workspaceId, items }]);
  }

  /** Several workspaces' rows in one multi-row INSERT (a group commit), in the order given. */
  async appendAll(
    manager: EntityManager,
    groups: ReadonlyArray<{ workspaceId: string; items: OutboxItem[] }>,
  ): Promise<void> {
    const rows = groups.flatMap(({ workspaceId, items }) =>
      items.map((item) =>
        item.kind === 'realtime'
          ? { workspaceId, kind: item.kind, name: item.envelope.event, payload: item.envelope }
          : { workspaceId, kind: item.kind, name: item.job.name, payload: item.job },
      ),
    );
    if (rows.length === 0) return;
    await manager.insert(OutboxEntry, rows);
  }

  /** Claims pending rows for this process; other relays skip them (SKIP LOCKED). */
  claimPending(manager: EntityManager, limit: number): Promise<OutboxEntry[]> {
    return manager
      .createQueryBuilder(OutboxEntry, 'o')
      .where('o.dispatched_at IS NULL')
      .orderBy('o.id', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  async markDispatched(manager: EntityManager, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await manager.query(
      'UPDATE outbox SET dispatched_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])',
      [ids],
    );
  }

  async markFailed(manager: EntityManager, id: string, error: string): Promise<void> {
    await manager.query('UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [
      id,
      error,
    ]);
  }

  async purgeDispatchedBefore(cutoff: Date): Promise<number> {
    const result: [unknown, number] = await this.dataSource.query(
      'DELETE FROM outbox WHERE dispatched_at IS NOT NULL AND dispatched_at < $1',
      [cutoff],
    );
    return result[1];
  }

  countPending(): Promise<number> {
    return this.dataSource.manager.count(OutboxEntry, { where: { dispatchedAt: IsNull() } });
  }
}
