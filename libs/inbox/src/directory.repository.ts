import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export const DEFAULT_REOPEN_WINDOW_DAYS = 7;

/**
 * Read-only lookups into the accounts tables that inbox rules need (reopen window, whether a user
 * or team belongs to the workspace). Inbox never writes them; accounts owns them.
 */
@Injectable()
export class DirectoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async reopenWindowDays(
    workspaceId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<number> {
    const rows: Array<{ days: string | null }> = await manager.query(
      `SELECT settings->>'reopenWindowDays' AS days FROM workspaces WHERE id = $1`,
      [workspaceId],
    );
    const days = Number(rows[0]?.days ?? DEFAULT_REOPEN_WINDOW_DAYS);
    return Number.isFinite(days) && days >= 0 ? days : DEFAULT_REOPEN_WINDOW_DAYS;
  }

  async isMember(
    workspaceId: string,
    userId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      'SELECT 1 FROM memberships WHERE workspace_id = $1 AND user_id = $2',
      [workspaceId, userId],
    );
    return rows.length > 0;
  }

  async teamExists(
    workspaceId: string,
    teamId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const rows: unknown[] = await manager.query('SELECT 1 FROM teams WHERE workspace_id = $1 AND id = $2', [
      workspaceId,
      teamId,
    ]);
    return rows.length > 0;
  }

  async userName(userId: string, manager: EntityManager = this.dataSource.manager): Promise<string | null> {
    const rows: Array<{ name: string }> = await manager.query('SELECT name FROM users WHERE id = $1', [userId]);
    return rows[0]?.name ?? null;
  }
}
