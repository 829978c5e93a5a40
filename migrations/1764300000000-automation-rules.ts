import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Automation rules: event → conditions → actions, ordered per workspace. */
export class AutomationRules1764300000000 implements MigrationInterface {
  name = 'AutomationRules1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE automation_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        position integer NOT NULL DEFAULT 0,
        event text NOT NULL CHECK (event IN ('conversation.created', 'message.created', 'conversation.resolved')),
        conditions jsonb NOT NULL,
        actions jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX automation_rules_event_idx ON automation_rules (workspace_id, event, position, created_at)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS automation_rules`);
  }
}
