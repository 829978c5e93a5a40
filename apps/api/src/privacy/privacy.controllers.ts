import { Body, Controller, Get, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@parley/accounts';
import { AuditLogRepository, type AuditLogEntry } from '@parley/database';
import { PrivacyService, type PrivacyActor } from '@parley/privacy';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { AuditedByService } from '../common/audit.interceptor.js';
import { uuid } from '../common/params.js';
import { AuditLogQuery, EraseContactDto, ExportContactQuery } from './privacy.dto.js';

function privacyActor(principal: Principal): PrivacyActor {
  return principal.userId
    ? { type: 'user', id: principal.userId }
    : { type: 'api_key', id: principal.apiKeyId };
}

@ApiTags('privacy')
@ApiBearerAuth()
@RequireRole('admin')
@Controller('api/v1/contacts/:id')
export class ContactPrivacyController {
  constructor(private readonly privacy: PrivacyService) {}

  @Get('export')
  @ApiProduces('application/x-tar')
  @ApiOperation({
    summary:
      'Subject access export (admin): a streamed tar with contact.json, messages/ and events/ pages, attachments/ and manifest.json; audited',
  })
  async export(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Query() query: ExportContactQuery,
  ): Promise<StreamableFile> {
    const archive = await this.privacy.exportContact(principal.workspaceId, privacyActor(principal), id, {
      notes: query.notes ?? true,
    });
    return new StreamableFile(archive.stream, {
      type: 'application/x-tar',
      disposition: `attachment; filename="${archive.fileName}"`,
    });
  }

  @Post('erase')
  @HttpCode(200)
  @AuditedByService()
  @ApiOperation({
    summary:
      'Erase a contact (admin, irreversible): messages, attachments, identities and profile redacted; metrics and scores kept; audited',
  })
  erase(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() dto: EraseContactDto,
  ) {
    return this.privacy.eraseContact(principal.workspaceId, privacyActor(principal), id, dto.confirm);
  }
}

function auditView(entry: AuditLogEntry) {
  return {
    id: entry.id,
    actorType: entry.actorType,
    actorId: entry.actorId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    data: entry.data,
    createdAt: entry.createdAt.toISOString(),
  };
}

@ApiTags('privacy')
@ApiBearerAuth()
@RequireRole('admin')
@Controller('api/v1/audit-log')
export class AuditLogController {
  constructor(private readonly audit: AuditLogRepository) {}

  @Get()
  @ApiOperation({ summary: 'The audit trail (admin), newest first; filter by actor, action, target, period' })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: AuditLogQuery) {
    const page = await this.audit.list(principal.workspaceId, {
      actorId: query.actorId,
      action: query.action,
      targetType: query.targetType,
      targetId: query.targetId,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      cursor: query.cursor,
      limit: query.limit ?? 50,
    });
    return { items: page.items.map(auditView), nextCursor: page.nextCursor };
  }
}
