import { Injectable } from '@nestjs/common';
import { AuditLogRepository } from '@parley/database';
import { JobQueues } from '@parley/jobs';
import { PrivacyRepository } from './privacy.repository.js';

const DAY_MS = 86_400_000;
/** Rows per transaction: keeps locks and WAL bounded on an inbox with years of history. */
export const RETENTION_BATCH = 1000;

export interface RetentionInboxReport {
  workspaceId: string;
  inboxId: string;
  retentionDays: number;
  before: string;
  messages: number;
  inboundEvents: number;
  files: number;
}

/** Applies each inbox's retention window: content goes, rows and metrics stay. */
@Injectable()
export class RetentionService {
  constructor(
    private readonly repository: PrivacyRepository,
    private readonly audit: AuditLogRepository,
    private readonly queues: JobQueues,
  ) {}

  async run(now = new Date(), batch = RETENTION_BATCH): Promise<RetentionInboxReport[]> {
    const reports: RetentionInboxReport[] = [];
    for (const inbox of await this.repository.inboxesWithRetention()) {
      const before = new Date(now.getTime() - inbox.days * DAY_MS);
      const report: RetentionInboxReport = {
        workspaceId: inbox.workspaceId,
        inboxId: inbox.inboxId,
        retentionDays: inbox.days,
        before: before.toISOString(),
        messages: 0,
        inboundEvents: 0,
        files: 0,
      };
      for (;;) {
        const done = await this.repository.redactExpired(inbox.workspaceId, inbox.inboxId, before, batch);
        report.messages += done.messages;
        report.inboundEvents += done.inboundEvents;
        report.files += done.files;
        if (done.messages < batch && done.inboundEvents < batch) break;
      }
      const { workspaceId, inboxId, ...data } = report;
      await this.audit.record({
        workspaceId,
        actorType: 'system',
        actorId: null,
        action: 'retention.run',
        targetType: 'inbox',
        targetId: inboxId,
        data,
      });
      reports.push(report);
    }
    if (reports.some((report) => report.files)) {
      await this.queues.add({
        name: 'privacy.purge_files',
        data: {},
        jobId: `purge-retention-${now.getTime()}`,
      });
    }
    return reports;
  }
}
