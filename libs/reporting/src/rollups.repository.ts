import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** The key of a `metrics_daily` row, with `workspace_id` left out (one workspace at a time). */
const KEY = [
  'grain',
  'day',
  'hour',
  'inbox_id',
  'channel',
  'team_id',
  'agent_id',
  'metric',
  'bucket',
] as const;

/** One conversation's contribution to one rollup row. */
interface Cell {
  grain: number;
  day: string;
  hour: number | null;
  inbox_id: string | null;
  channel: string | null;
  team_id: string | null;
  agent_id: string | null;
  metric: string;
  bucket: number;
  n: number;
  total: number;
}

export interface RollupRebuildReport {
  workspaces: number;
  /** Rollup rows the incremental path had differently from the set-based rebuild (0 = they agree). */
  mismatchedCells: number;
}

/**
 * The grains rollups are kept at (migration 1765500000000): a bit set of the dimensions a row keeps,
 * the others summed over. Every grain holds the same facts.
 */
export const GRAIN = { inbox: 1, channel: 2, team: 4, agent: 8 } as const;
export const ROLLUP_GRAINS = [15, 7, 8, 4, 2, 1, 0] as const;
/**
 * The hourly grain (migration 1765610000000): the workspace's facts per UTC hour — `day` the UTC
 * date, `hour` 0–23, no dimension kept — for the whole hours of a period's partial days.
 */
export const HOURLY_GRAIN = 16;

/** The coarsest grain that keeps every dimension of `needed` (a bit set of GRAIN). */
export function grainFor(needed: number): number {
  const fits = ROLLUP_GRAINS.filter((grain) => (grain & needed) === needed);
  return fits.reduce((best, grain) => (bitCount(grain) < bitCount(best) ? grain : best));
}

function bitCount(grain: number): number {
  return [1, 2, 4, 8].filter((bit) => grain & bit).length;
}

/** Incremental rollups take this lock shared, a rebuild of the workspace exclusive. */
const LOCK = `hashtextextended($1::text, 8)`;

/** Every grain a fold adds to: the daily ones and the hourly one. */
const GRAINS = [...ROLLUP_GRAINS, HOURLY_GRAIN];

/**
 * SQL: the facts of `facts` (rows shaped as the view `metrics_daily_facts`), each counted `sign` times,
 * keyed by every dimension a grain can keep: the local day, the UTC day and hour (the hourly grain).
 */
function finest(facts: string, sign: 1 | -1): string {
  return `SELECT f.day, (f.at AT TIME ZONE 'UTC')::date AS utc_day,
          extract(hour FROM f.at AT TIME ZONE 'UTC')::smallint AS utc_hour,
          f.inbox_id, f.channel, f.team_id, f.agent_id, f.metric, f.bucket,
          ${sign}::bigint AS n, ${sign} * coalesce(f.value, 0) AS total
     FROM (${facts}) AS f`;
}

/** SQL: rows shaped as `finest` summed into rollup cells at each grain of the array parameter `grains`. */
function cells(rows: string, grains: string): string {
  return `SELECT g.grain,
          CASE WHEN g.grain = ${HOURLY_GRAIN} THEN f.utc_day ELSE f.day END AS day,
          CASE WHEN g.grain = ${HOURLY_GRAIN} THEN f.utc_hour END AS hour,
          CASE WHEN g.grain & 1 <> 0 THEN f.inbox_id END AS inbox_id,
          CASE WHEN g.grain & 2 <> 0 THEN f.channel END AS channel,
          CASE WHEN g.grain & 4 <> 0 THEN f.team_id END AS team_id,
          CASE WHEN g.grain & 8 <> 0 THEN f.agent_id END AS agent_id, f.metric, f.bucket,
          sum(f.n) AS n, sum(f.total) AS total
     FROM (${rows}) AS f CROSS JOIN unnest(${grains}::smallint[]) AS g(grain)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`;
}

/**
 * `metrics_daily`: the facts of `metrics_facts(row)` (migration 1765300000000) summed per workspace ×
 * local day × inbox × channel × team × agent, and at the coarser grains of ROLLUP_GRAINS. A
 * conversation's recomputation journals the difference between its old and new rows in its
 * transaction (`metrics_daily_pending`), `foldIn` adds the journal to the rollups, and reports read
 * both (`metrics_rollups`); the rebuild refills set-based and counts the rows that differed.
 */
@Injectable()
export class RollupsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Before a transaction's first `contribution`: takes the workspace's rollup lock shared (a rebuild
   * takes it exclusive) and fixes the time zone its days are cut in (at its first metrics row; reset
   * by a rebuild).
   */
  async enter(manager: EntityManager, workspaceId: string): Promise<void> {
    // One statement: the lock is taken (the CTE is joined) before the row is inserted, and a zone a
    // rebuild wrote meanwhile wins (ON CONFLICT sees it whatever this statement's snapshot).
    await manager.query(
      `WITH locked AS (SELECT pg_advisory_xact_lock_shared(${LOCK}))
       INSERT INTO metrics_daily_zones (workspace_id, timezone)
       SELECT w.id, w.timezone FROM workspaces w, locked WHERE w.id = $1::uuid
       ON CONFLICT (workspace_id) DO NOTHING`,
      [workspaceId],
    );
  }

  /** The conversation's current rows summed into rollup cells at every grain (after `enter`). */
  async contribution(manager: EntityManager, conversationId: string): Promise<Cell[]> {
    const rows: Array<Cell & { n: string; total: string }> = await manager.query(
      `SELECT grain, day::text AS day, hour, inbox_id, channel, team_id, agent_id, metric, bucket,
              n::text AS n, total::text AS total
         FROM (${cells(finest('SELECT * FROM metrics_daily_facts WHERE conversation_id = $1', 1), '$2')}) AS c`,
      [conversationId, GRAINS],
    );
    return rows.map((row) => ({ ...row, n: Number(row.n), total: Number(row.total) }));
  }

  /**
   * Rewrites a conversation's metrics rows and journals the rollup change, in one statement (after
   * `enter`): `ctes` are data-modifying CTEs over `params`, one of them `written`, which returns the
   * rows as they now are (`RETURNING *`); rows they delete simply leave. The rows before come from the
   * statement's snapshot, taken before any of its changes.
   */
  async rewrite(
    manager: EntityManager,
    workspaceId: string,
    conversationId: string,
    ctes: string[],
    params: unknown[],
  ): Promise<void> {
    const values = [...params];
    const param = (value: unknown) => `$${values.push(value)}`;
    const [conversation, grains, workspace] = [conversationId, GRAINS, workspaceId].map(param);
    // The rows of the view metrics_daily_facts (migration 1765610000000), over the rows just written.
    const writtenFacts = `SELECT w.workspace_id, w.conversation_id, (f.at AT TIME ZONE z.timezone)::date AS day,
             w.inbox_id, w.channel, w.team_id, f.agent_id, f.metric, f.bucket, f.value, f.at
        FROM written w JOIN metrics_daily_zones z ON z.workspace_id = w.workspace_id
        CROSS JOIN LATERAL metrics_facts(ROW(w.*)::conversation_metrics) AS f`;
    const keys = KEY.join(', ');
    // The old and new facts cancel out first, where they are equal (most of them: a survey sent changes
    // none); only what is left is summed into the cells of every grain.
    const before = finest(`SELECT * FROM metrics_daily_facts WHERE conversation_id = ${conversation}`, -1);
    await manager.query(
      `WITH ${ctes.join(', ')},
            change AS (
              SELECT day, utc_day, utc_hour, inbox_id, channel, team_id, agent_id, metric, bucket,
                     sum(n) AS n, sum(total) AS total
                FROM (${before} UNION ALL ${finest(writtenFacts, 1)}) AS f
               GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 HAVING sum(n) <> 0 OR sum(total) <> 0)
       INSERT INTO metrics_daily_pending (workspace_id, ${keys}, n, total)
       SELECT ${workspace}, ${keys}, n, total FROM (${cells('SELECT * FROM change', grains)}) AS c
        WHERE n <> 0 OR total <> 0`,
      values,
    );
  }

  /**
   * Journals `after − before` for the rollups (migration 1765750000000): appended, one statement, no
   * row another fold holds; `foldIn` adds it to `metrics_daily`, and reports read both meanwhile.
   */
  async apply(manager: EntityManager, workspaceId: string, before: Cell[], after: Cell[]): Promise<void> {
    const delta = new Map<string, Cell>();
    for (const [sign, cells] of [
      [-1, before],
      [1, after],
    ] as const) {
      for (const cell of cells) {
        const key = JSON.stringify(KEY.map((column) => cell[column]));
        const sum = delta.get(key) ?? { ...cell, n: 0, total: 0 };
        sum.n += sign * cell.n;
        sum.total += sign * cell.total;
        delta.set(key, sum);
      }
    }
    const changed = [...delta.values()].filter((cell) => cell.n !== 0 || cell.total !== 0);
    if (!changed.length) return;
    const column = <K extends keyof Cell>(name: K) => changed.map((cell) => cell[name]);
    await manager.query(
      `INSERT INTO metrics_daily_pending (workspace_id, ${KEY.join(', ')}, n, total)
       SELECT $1, d.* FROM unnest($2::smallint[], $3::date[], $4::smallint[], $5::uuid[], $6::text[], $7::uuid[],
                                  $8::uuid[], $9::text[], $10::integer[], $11::bigint[], $12::bigint[])
                        AS d(${KEY.join(', ')}, n, total)`,
      [workspaceId, ...KEY.map((name) => column(name)), column('n'), column('total')],
    );
  }

  /** The workspaces with journaled rollup changes not yet folded in. */
  async pendingWorkspaces(): Promise<string[]> {
    const rows: Array<{ workspace_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT workspace_id FROM metrics_daily_pending`,
    );
    return rows.map((row) => row.workspace_id);
  }

  /**
   * Moves a workspace's journaled changes into `metrics_daily`, summed per row, in one statement
   * (rows locked in key order: no deadlocks); under the shared rollup lock, as a fold. Returns the
   * journal rows it moved.
   */
  async foldIn(workspaceId: string): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock_shared(${LOCK})`, [workspaceId]);
      return this.moveJournal(manager, workspaceId);
    });
  }

  private async moveJournal(manager: EntityManager, workspaceId: string): Promise<number> {
    const keys = KEY.join(', ');
    const rows: Array<{ moved: number }> = await manager.query(
      `WITH moved AS (DELETE FROM metrics_daily_pending WHERE workspace_id = $1 RETURNING *),
            summed AS (
              INSERT INTO metrics_daily (workspace_id, ${keys}, n, total)
              SELECT $1, ${keys}, sum(n), sum(total) FROM moved
               GROUP BY ${keys} HAVING sum(n) <> 0 OR sum(total) <> 0
               ORDER BY ${keys}
              ON CONFLICT ON CONSTRAINT metrics_daily_key
              DO UPDATE SET n = metrics_daily.n + excluded.n, total = metrics_daily.total + excluded.total)
       SELECT count(*)::int AS moved FROM moved`,
      [workspaceId],
    );
    return rows[0]?.moved ?? 0;
  }

  /**
   * Refills the rollups of one workspace (or all) from `conversation_metrics`, set-based, and counts
   * the rows (zero rows left by the incremental path aside) that differed from what was there.
   */
  async rebuild(workspaceId: string | null): Promise<RollupRebuildReport> {
    const workspaces: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM workspaces WHERE $1::uuid IS NULL OR id = $1 ORDER BY id`,
      [workspaceId],
    );
    let mismatchedCells = 0;
    for (const { id } of workspaces) {
      mismatchedCells += await this.dataSource.transaction(async (manager) => {
        await manager.query(`SELECT pg_advisory_xact_lock(${LOCK})`, [id]);
        await this.moveJournal(manager, id);
        const cells = `${KEY.join(', ')}, n, total`;
        await manager.query(
          `CREATE TEMP TABLE metrics_daily_before ON COMMIT DROP AS
           SELECT ${cells} FROM metrics_daily WHERE workspace_id = $1 AND (n <> 0 OR total <> 0)`,
          [id],
        );
        await manager.query(`SELECT metrics_daily_rebuild($1)`, [id]);
        const [{ count }]: Array<{ count: number }> = await manager.query(
          `SELECT count(DISTINCT (${KEY.join(', ')}))::int AS count FROM (
             (SELECT ${cells} FROM metrics_daily_before
              EXCEPT ALL SELECT ${cells} FROM metrics_daily WHERE workspace_id = $1)
             UNION ALL
             (SELECT ${cells} FROM metrics_daily WHERE workspace_id = $1
              EXCEPT ALL SELECT ${cells} FROM metrics_daily_before)) AS differing`,
          [id],
        );
        return count;
      });
    }
    return { workspaces: workspaces.length, mismatchedCells };
  }
}
