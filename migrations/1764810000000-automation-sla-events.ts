import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Automation rules may also run on SLA warnings and breaches. */
export class AutomationSlaEvents1764810000000 implements MigrationInterface {
  name = 'AutomationSlaEvents1764810000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE automation_rules DROP CONSTRAINT IF EXISTS automation_rules_event_check`);
    await db.query(
      `ALTER TABLE automation_rules ADD CONSTRAINT automation_rules_event_check
         CHECK (event IN ('conversation.created', 'message.created', 'conversation.resolved', 'sla.warning', 'sla.breached'))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM automation_rules WHERE event IN ('sla.warning', 'sla.breached')`);
    await db.query(`ALTER TABLE automation_rules DROP CONSTRAINT IF EXISTS automation_rules_event_check`);
    await db.query(
      `ALTER TABLE automation_rules ADD CONSTRAINT automation_rules_event_check
         CHECK (event IN ('conversation.created', 'message.created', 'conversation.resolved'))`,
    );
  }
}
