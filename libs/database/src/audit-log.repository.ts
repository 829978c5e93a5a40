import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLogEntry } from './audit-log.entity.js';
import { decodeCursor, toPage, type Page } from './cursor.js';

export interface AuditRecord {
  workspaceId: string;
  actorType: AuditLogEntry['actorType'];
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  data?: Record<string, unknown>;
}

export interface AuditFilter {
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

@Injectable()
export class AuditLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(record: AuditRecord, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(
      `INSERT INTO audit_log (workspace_id, actor_type, actor_id, action, target_type, target_id, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        record.workspaceId,
        record.actorType,
        record.actorId,
        record.action,
        record.targetType,
        record.targetId,
        record.data ?? {},
      ],
    );
  }

  listForTarget(workspaceId: string, targetType: string, targetId: string): Promise<AuditLogEntry[]> {
    return this.dataSource.manager.find(AuditLogEntry, {
      where: { workspaceId, targetType, targetId },
      order: { createdAt: 'DESC' },
      take: 200,
    });
  }

  /** The workspace's audit trail, newest first, keyset-paged on (created_at, id). */
  async list(workspaceId: string, filter: AuditFilter): Promise<Page<AuditLogEntry>> {
    const params: unknown[] = [workspaceId];
    const where = ['workspace_id = $1'];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.actorId) add('actor_id = ?', filter.actorId);
    if (filter.action) add('action = ?', filter.action);
    if (filter.targetType) add('target_type = ?', filter.targetType);
    if (filter.targetId) add('target_id = ?', filter.targetId);
    if (filter.from) add('created_at >= ?', filter.from);
    if (filter.to) add('created_at < ?', filter.to);
    if (filter.cursor) {
      const cursor = decodeCursor(filter.cursor);
      params.push(cursor.values[0], cursor.id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit + 1);
    const rows: Array<{
      id: string;
      workspace_id: string;
      actor_type: AuditLogEntry['actorType'];
      actor_id: string | null;
      action: string;
      target_type: string;
      target_id: string | null;
      data: Record<string, unknown>;
      created_at: Date;
      sort_ts: string;
    }> = await this.dataSource.manager.query(
      `SELECT *, created_at::text AS sort_ts FROM audit_log WHERE ${where.join(' AND ')}
        ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const page = toPage(rows, filter.limit, (row) => ({ values: [row.sort_ts], id: row.id }));
    return {
      items: page.items.map((row) => ({
        id: row.id,
        workspaceId: row.workspace_id,
        actorType: row.actor_type,
        actorId: row.actor_id,
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        data: row.data,
        createdAt: row.created_at,
      })),
      nextCursor: page.nextCursor,
    };
  }
}
