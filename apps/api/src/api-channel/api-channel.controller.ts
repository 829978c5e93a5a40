import { randomUUID } from 'node:crypto';
import { BadRequestException, Body, Controller, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@parley/accounts';
import { InboxesService, IngestService, type IdentityKind } from '@parley/inbox';
import { CurrentPrincipal } from '../auth/auth.decorators.js';
import { uuid } from '../common/params.js';
import { InboundApiMessageDto } from './api-channel.dto.js';

interface StatusResponse {
  status(code: number): unknown;
}

@ApiTags('api channel')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Api-Key', required: false, description: 'An API key (pk_…) instead of a bearer token' })
@Controller('api/v1/inboxes/:inboxId/inbound')
export class ApiChannelController {
  constructor(
    private readonly ingest: IngestService,
    private readonly inboxes: InboxesService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'API channel: post a customer message into Parley (201 new, 200 repeat of a known externalId)',
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('inboxId', uuid) inboxId: string,
    @Body() dto: InboundApiMessageDto,
    @Res({ passthrough: true }) response: StatusResponse,
  ) {
    const inbox = await this.inboxes.row(principal.workspaceId, inboxId);
    if (inbox.channel !== 'api')
      throw new BadRequestException(`Inbox ${inbox.name} is a ${inbox.channel} inbox, not an API inbox`);
    const identities: Array<{ kind: IdentityKind; value: string }> = [];
    if (dto.contact.identifier) identities.push({ kind: 'external', value: dto.contact.identifier });
    if (dto.contact.phone) identities.push({ kind: 'phone', value: dto.contact.phone });
    if (dto.contact.email) identities.push({ kind: 'email', value: dto.contact.email });
    if (identities.length === 0)
      throw new BadRequestException('contact needs an identifier, an email or a phone');
    const result = await this.ingest.ingest({
      workspaceId: principal.workspaceId,
      inboxId,
      externalId: dto.externalId ?? randomUUID(),
      identities,
      contactName: dto.contact.name,
      body: dto.body,
      subject: dto.subject,
      attachments: dto.attachments,
    });
    response.status(result.outcome === 'duplicate' ? 200 : 201);
    return {
      outcome: result.outcome,
      contactId: result.contactId,
      conversationId: result.conversation.id,
      message: result.message,
    };
  }
}
