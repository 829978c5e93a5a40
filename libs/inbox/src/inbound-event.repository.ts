import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { storable } from '@parley/database';

/** The raw-payload journal of provider webhooks: for replay and audit, deduplicated on the provider id. */
@Injectable()
export class InboundEventRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records the payload; returns false when this provider id was journaled before. */
  async journal(
    workspaceId: string,
    inboxId: string,
    provider: string,
    externalId: string,
    payload: unknown,
  ): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO inbound_events (workspace_id, inbox_id, provider, external_id, payload)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace_id, inbox_id, external_id) DO NOTHING RETURNING id`,
      [workspaceId, inboxId, provider, externalId, storable(payload)],
    );
    return rows.length > 0;
  }

  /** Whether this provider id was journaled and fully processed before (a re-delivery). */
  async wasProcessed(workspaceId: string, inboxId: string, externalId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM inbound_events WHERE workspace_id = $1 AND inbox_id = $2 AND external_id = $3 AND processed_at IS NOT NULL AND error IS NULL`,
      [workspaceId, inboxId, externalId],
    );
    return rows.length > 0;
  }

  async markProcessed(
    workspaceId: string,
    inboxId: string,
    externalId: string,
    error: string | null = null,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE inbound_events SET processed_at = now(), error = $4 WHERE workspace_id = $1 AND inbox_id = $2 AND external_id = $3`,
      [workspaceId, inboxId, externalId, error],
    );
  }
}
