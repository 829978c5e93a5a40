import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Surveys: CSAT/CES after a resolve (one row per question, once per cycle), NPS campaigns, the
 * workspace policy with per-inbox overrides, and agents' "don't survey" marks.
 */
export class Surveys1764800000000 implements MigrationInterface {
  name = 'Surveys1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE survey_policies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        inbox_id uuid REFERENCES inboxes(id) ON DELETE CASCADE,
        policy jsonb NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE UNIQUE INDEX survey_policies_scope_key ON survey_policies (workspace_id, coalesce(inbox_id, '00000000-0000-0000-0000-000000000000'))`,
    );
    await db.query(`
      CREATE TABLE survey_campaigns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name text NOT NULL,
        segment jsonb NOT NULL,
        rate_per_minute integer NOT NULL CHECK (rate_per_minute BETWEEN 1 AND 6000),
        status text NOT NULL CHECK (status IN ('planning', 'running', 'done')),
        targeted integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE surveys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('csat', 'ces', 'nps')),
        contact_id uuid NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        conversation_id uuid REFERENCES conversations(id) ON DELETE CASCADE,
        campaign_id uuid REFERENCES survey_campaigns(id) ON DELETE CASCADE,
        -- The resolve that asked for it: one survey of a kind per conversation cycle.
        cycle_resolved_at timestamptz,
        -- Questions asked together: the first row of a sequence is the group; position orders them.
        group_id uuid NOT NULL,
        position smallint NOT NULL DEFAULT 1,
        status text NOT NULL CHECK (status IN ('scheduled', 'sent', 'answered', 'expired', 'cancelled', 'skipped')),
        status_reason text,
        locale text NOT NULL DEFAULT 'en',
        scheduled_for timestamptz NOT NULL,
        sent_at timestamptz,
        expires_at timestamptz,
        answered_at timestamptz,
        channel text,
        inbox_id uuid REFERENCES inboxes(id) ON DELETE SET NULL,
        message_id uuid REFERENCES messages(id) ON DELETE SET NULL,
        score smallint,
        comment text,
        -- What was sent after the answer on a chat channel: a comment request or a thank-you.
        follow_up text CHECK (follow_up IN ('comment', 'thanks')),
        follow_up_at timestamptz,
        -- Attribution snapshotted when the survey was sent (METRICS.md: assignee at send time).
        agent_id uuid REFERENCES users(id) ON DELETE SET NULL,
        team_id uuid REFERENCES teams(id) ON DELETE SET NULL,
        alerted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT surveys_score_range CHECK (
          score IS NULL
          OR (kind = 'csat' AND score BETWEEN 1 AND 5)
          OR (kind = 'ces' AND score BETWEEN 1 AND 7)
          OR (kind = 'nps' AND score BETWEEN 0 AND 10)
        ),
        CONSTRAINT surveys_source CHECK ((kind = 'nps') = (conversation_id IS NULL))
      )`);
    await db.query(
      `CREATE UNIQUE INDEX surveys_cycle_key ON surveys (conversation_id, cycle_resolved_at, kind) WHERE conversation_id IS NOT NULL`,
    );
    await db.query(
      `CREATE UNIQUE INDEX surveys_campaign_contact_key ON surveys (campaign_id, contact_id) WHERE campaign_id IS NOT NULL`,
    );
    await db.query(`CREATE INDEX surveys_contact_idx ON surveys (workspace_id, contact_id, created_at DESC)`);
    await db.query(`CREATE INDEX surveys_group_idx ON surveys (group_id, position)`);
    await db.query(`CREATE INDEX surveys_due_idx ON surveys (scheduled_for) WHERE status = 'scheduled'`);
    await db.query(`CREATE INDEX surveys_open_idx ON surveys (expires_at) WHERE status = 'sent'`);
    await db.query(
      `CREATE INDEX surveys_sent_idx ON surveys (workspace_id, sent_at) WHERE sent_at IS NOT NULL`,
    );
    await db.query(`
      CREATE TABLE survey_exclusions (
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        excluded_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (conversation_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE survey_exclusions`);
    await db.query(`DROP TABLE surveys`);
    await db.query(`DROP TABLE survey_campaigns`);
    await db.query(`DROP TABLE survey_policies`);
  }
}
