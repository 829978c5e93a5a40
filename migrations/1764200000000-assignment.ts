import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Auto-assignment: policies per inbox and team, reasons and bounces on conversations, a fair cursor. */
export class Assignment1764200000000 implements MigrationInterface {
  name = 'Assignment1764200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE inboxes ADD COLUMN assignment jsonb NOT NULL DEFAULT '{"mode": "off"}'`);
    await db.query(`ALTER TABLE teams ADD COLUMN assignment jsonb NOT NULL DEFAULT '{"mode": "off"}'`);
    await db.query(`ALTER TABLE memberships ADD COLUMN channel_capacity jsonb NOT NULL DEFAULT '{}'`);
    await db.query(
      `ALTER TABLE memberships ADD COLUMN availability_changed_at timestamptz NOT NULL DEFAULT now()`,
    );
    await db.query(`ALTER TABLE conversations ADD COLUMN assigned_at timestamptz`);
    await db.query(`ALTER TABLE conversations ADD COLUMN assignment_reason text`);
    await db.query(`ALTER TABLE conversations ADD COLUMN assignment_count integer NOT NULL DEFAULT 0`);
    await db.query(`ALTER TABLE conversations ADD COLUMN requeued_from uuid`);
    await db.query(`
      CREATE TABLE assignment_cursors (
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        scope text NOT NULL,
        last_user_id uuid,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, scope)
      )`);
    await db.query(
      `CREATE INDEX conversations_unassigned_idx ON conversations (workspace_id, waiting_since, id)
         WHERE assignee_id IS NULL AND status IN ('open', 'pending')`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS conversations_unassigned_idx`);
    await db.query(`DROP TABLE IF EXISTS assignment_cursors`);
    for (const column of ['assigned_at', 'assignment_reason', 'assignment_count', 'requeued_from']) {
      await db.query(`ALTER TABLE conversations DROP COLUMN IF EXISTS ${column}`);
    }
    await db.query(`ALTER TABLE memberships DROP COLUMN IF EXISTS channel_capacity`);
    await db.query(`ALTER TABLE memberships DROP COLUMN IF EXISTS availability_changed_at`);
    await db.query(`ALTER TABLE teams DROP COLUMN IF EXISTS assignment`);
    await db.query(`ALTER TABLE inboxes DROP COLUMN IF EXISTS assignment`);
  }
}
