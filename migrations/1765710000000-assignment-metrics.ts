import type { MigrationInterface, QueryRunner } from 'typeorm';
import { metricsFactsFunction } from './1765300000000-daily-rollups.js';

/** The assignment report's facts, placed at the conversation's opening (cycle 0) like `opened`. */
const ASSIGNMENT_VALUES = [
  `('assign', 'histogram', m.started_at, m.assignee_id, CASE WHEN m.cycle = 0 THEN m.assign_seconds::bigint END)`,
  `('assign_bounced', 'count', m.started_at, m.assignee_id, CASE WHEN m.cycle = 0 AND m.assignment_count > 1 THEN 1 END)`,
];
const ASSIGNMENT_UNIONS = [
  `SELECT 'assignments_' || k.key, m.started_at, m.assignee_id, 0, k.value::bigint
            FROM jsonb_each_text(m.assignment_kinds) AS k WHERE m.cycle = 0`,
];
const ASSIGNMENT_METRICS = `ARRAY['assign', 'assign_bounced', 'assignments_auto', 'assignments_manual',
                                 'assignments_self', 'assignments_requeued']`;

/**
 * The assignment report from the metrics (docs/assignment.md#report): `conversation_metrics` keeps,
 * on each conversation's cycle 0, its first assignment, the seconds from opening to it, how many
 * assignments it had and its assignment events by kind; `metrics_facts` turns them into facts the
 * rollups sum. Existing rows are filled from the event log as the metrics fold would (the same
 * definitions: `assigned` events by `reason`, `requeued` events), and their facts added to every
 * grain. The report read every conversation and assignment event of its period (1.1–1.5 s for 90
 * days at 1M conversations, docs/benchmarks.md); the two indexes that served it go.
 */
export class AssignmentMetrics1765710000000 implements MigrationInterface {
  name = 'AssignmentMetrics1765710000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE conversation_metrics
        ADD COLUMN first_assigned_at timestamptz,
        ADD COLUMN assign_seconds integer,
        ADD COLUMN assignment_count integer NOT NULL DEFAULT 0,
        ADD COLUMN assignment_kinds jsonb NOT NULL DEFAULT '{}'`);
    await db.query(metricsFactsFunction(ASSIGNMENT_VALUES, ASSIGNMENT_UNIONS));
    await db.query(`
      WITH kinds AS (
        SELECT conversation_id,
               CASE WHEN type = 'requeued' THEN 'requeued'
                    WHEN data->>'reason' IN ('auto', 'self') THEN data->>'reason' ELSE 'manual' END AS kind,
               count(*)::int AS n,
               min(occurred_at) FILTER (WHERE type = 'assigned') AS first_at,
               count(*) FILTER (WHERE type = 'assigned')::int AS assigned
          FROM conversation_events WHERE type IN ('assigned', 'requeued')
         GROUP BY 1, 2),
      conversations AS (
        SELECT conversation_id, min(first_at) AS first_at, sum(assigned)::int AS assigned,
               jsonb_object_agg(kind, n) AS kinds
          FROM kinds GROUP BY 1)
      UPDATE conversation_metrics m
         SET first_assigned_at = c.first_at,
             assign_seconds = greatest(0, round(extract(epoch FROM c.first_at - m.started_at)))::integer,
             assignment_count = c.assigned,
             assignment_kinds = c.kinds
        FROM conversations c
       WHERE m.conversation_id = c.conversation_id AND m.cycle = 0`);
    // The new facts at every grain (RollupsRepository.contribution's cells, set-based).
    await db.query(`
      INSERT INTO metrics_daily (workspace_id, grain, day, hour, inbox_id, channel, team_id, agent_id, metric, bucket, n, total)
      SELECT f.workspace_id, g.grain,
             CASE WHEN g.grain = 16 THEN (f.at AT TIME ZONE 'UTC')::date ELSE f.day END,
             CASE WHEN g.grain = 16 THEN extract(hour FROM f.at AT TIME ZONE 'UTC')::smallint END,
             CASE WHEN g.grain & 1 <> 0 THEN f.inbox_id END, CASE WHEN g.grain & 2 <> 0 THEN f.channel END,
             CASE WHEN g.grain & 4 <> 0 THEN f.team_id END, CASE WHEN g.grain & 8 <> 0 THEN f.agent_id END,
             f.metric, f.bucket, count(*), sum(f.value)
        FROM metrics_daily_facts f CROSS JOIN unnest(ARRAY[15, 7, 8, 4, 2, 1, 0, 16]::smallint[]) AS g(grain)
       WHERE f.metric = ANY(${ASSIGNMENT_METRICS})
       GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`);
    await db.query(`DROP INDEX IF EXISTS conversations_opened_idx`);
    await db.query(`DROP INDEX IF EXISTS conversation_events_assignment_idx`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX conversations_opened_idx ON conversations (workspace_id, opened_at) INCLUDE (assignment_count)`,
    );
    await db.query(
      `CREATE INDEX conversation_events_assignment_idx ON conversation_events (workspace_id, occurred_at)
         INCLUDE (conversation_id) WHERE type IN ('assigned', 'requeued')`,
    );
    await db.query(`DELETE FROM metrics_daily WHERE metric = ANY(${ASSIGNMENT_METRICS})`);
    await db.query(metricsFactsFunction());
    await db.query(`
      ALTER TABLE conversation_metrics
        DROP COLUMN first_assigned_at, DROP COLUMN assign_seconds,
        DROP COLUMN assignment_count, DROP COLUMN assignment_kinds`);
  }
}
