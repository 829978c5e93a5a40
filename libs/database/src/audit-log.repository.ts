import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLogEntry } from './audit-log.entity.js';

export interface AuditRecord {
  workspaceId: string;
  actorType: AuditLogEntry['actorType'];
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  data?: Record<string, unknown>;
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
}
