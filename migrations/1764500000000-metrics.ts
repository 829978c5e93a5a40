import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Metrics: business calendars (workspace default, per-inbox and per-team overrides), SLA policies and
 * one `conversation_metrics` row per conversation cycle, derived from `conversation_events` and
 * rebuildable from it.
 */
export class Metrics1764500000000 implements MigrationInterface {
  name = 'Metrics1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE business_calendars (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name text NOT NULL,
        timezone text NOT NULL,
        week jsonb NOT NULL,
        holidays text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT business_calendars_name_key UNIQUE (workspace_id, name)
      )`);
    await db.query(`
      CREATE TABLE calendar_assignments (
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        scope text NOT NULL CHECK (scope IN ('workspace', 'inbox', 'team')),
        scope_id uuid NOT NULL,
        calendar_id uuid NOT NULL REFERENCES business_calendars(id) ON DELETE CASCADE,
        PRIMARY KEY (workspace_id, scope, scope_id)
      )`);
    await db.query(`
      CREATE TABLE sla_policies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name text NOT NULL,
        position integer NOT NULL DEFAULT 0,
        enabled boolean NOT NULL DEFAULT true,
        priorities text[] NOT NULL DEFAULT '{}',
        channels text[] NOT NULL DEFAULT '{}',
        team_ids uuid[] NOT NULL DEFAULT '{}',
        inbox_ids uuid[] NOT NULL DEFAULT '{}',
        first_response_seconds integer CHECK (first_response_seconds > 0),
        next_reply_seconds integer CHECK (next_reply_seconds > 0),
        resolution_seconds integer CHECK (resolution_seconds > 0),
        business_hours boolean NOT NULL DEFAULT true,
        warn_at real NOT NULL DEFAULT 0.8 CHECK (warn_at > 0 AND warn_at < 1),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT sla_policies_name_key UNIQUE (workspace_id, name)
      )`);
    await db.query(`
      CREATE TABLE conversation_metrics (
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        cycle integer NOT NULL,
        contact_id uuid NOT NULL,
        inbox_id uuid,
        channel text,
        team_id uuid,
        assignee_id uuid,
        priority smallint NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL,
        first_customer_at timestamptz,
        first_response_at timestamptz,
        first_responder_id uuid,
        frt_seconds integer,
        frt_business_seconds integer,
        next_reply_seconds integer[] NOT NULL DEFAULT '{}',
        next_reply_business_seconds integer[] NOT NULL DEFAULT '{}',
        next_reply_agent_ids uuid[] NOT NULL DEFAULT '{}',
        resolved_at timestamptz,
        resolved_by uuid,
        auto_resolved boolean NOT NULL DEFAULT false,
        resolution_seconds integer,
        resolution_business_seconds integer,
        active_resolution_seconds integer,
        active_resolution_business_seconds integer,
        last_resolve boolean NOT NULL DEFAULT false,
        reopened boolean NOT NULL DEFAULT false,
        agent_replies integer NOT NULL DEFAULT 0,
        customer_messages integer NOT NULL DEFAULT 0,
        channel_switches integer NOT NULL DEFAULT 0,
        pending_seconds integer NOT NULL DEFAULT 0,
        snoozed_seconds integer NOT NULL DEFAULT 0,
        handle_seconds integer NOT NULL DEFAULT 0,
        handle_by_agent jsonb NOT NULL DEFAULT '{}',
        fcr_candidate boolean NOT NULL DEFAULT false,
        fcr_window_ends_at timestamptz,
        repeat_contact boolean NOT NULL DEFAULT false,
        sla_policy_id uuid,
        frt_due_at timestamptz,
        resolution_due_at timestamptz,
        next_reply_targets integer NOT NULL DEFAULT 0,
        next_reply_breaches integer NOT NULL DEFAULT 0,
        open_wait_due_at timestamptz,
        computed_seq bigint NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (conversation_id, cycle)
      )`);
    for (const column of [
      'started_at',
      'first_response_at',
      'resolved_at',
      'frt_due_at',
      'resolution_due_at',
    ]) {
      await db.query(
        `CREATE INDEX conversation_metrics_${column}_idx ON conversation_metrics (workspace_id, ${column}) WHERE ${column} IS NOT NULL`,
      );
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS conversation_metrics`);
    await db.query(`DROP TABLE IF EXISTS sla_policies`);
    await db.query(`DROP TABLE IF EXISTS calendar_assignments`);
    await db.query(`DROP TABLE IF EXISTS business_calendars`);
  }
}
