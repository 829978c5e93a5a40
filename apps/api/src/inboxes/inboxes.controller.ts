import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@parley/accounts';
import { InboxesService } from '@parley/inbox';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { CreateInboxDto, UpdateInboxDto } from './inbox.dto.js';
import { uuid } from '../common/params.js';

function assertStringSecrets(secrets: Record<string, unknown> | undefined): void {
  if (secrets && Object.values(secrets).some((value) => typeof value !== 'string' || value.length > 4096)) {
    throw new BadRequestException({
      message: 'Validation failed',
      details: ['secrets: every value must be a string'],
    });
  }
}

@ApiTags('inboxes')
@ApiBearerAuth()
@Controller('api/v1/inboxes')
export class InboxesController {
  constructor(private readonly inboxes: InboxesService) {}

  @Get()
  @ApiOperation({ summary: 'Inboxes (channels) of the workspace; secrets are never returned' })
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: await this.inboxes.list(principal.workspaceId) };
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return this.inboxes.get(principal.workspaceId, id);
  }

  @Post()
  @RequireRole('admin')
  @ApiOperation({ summary: 'Create an inbox (admin). Generated secrets are returned once, here.' })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateInboxDto) {
    assertStringSecrets(dto.secrets);
    return this.inboxes.create(principal.workspaceId, dto);
  }

  @Patch(':id')
  @RequireRole('admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() dto: UpdateInboxDto,
  ) {
    assertStringSecrets(dto.secrets);
    return this.inboxes.update(principal.workspaceId, id, dto);
  }

  @Post(':id/rotate-webhook-secret')
  @RequireRole('admin')
  @ApiOperation({
    summary: 'API inbox: replace the outbound webhook signing secret; the new one is returned once',
  })
  async rotate(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return { webhookSecret: await this.inboxes.rotateWebhookSecret(principal.workspaceId, id) };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Disable an inbox (history is kept)' })
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string): Promise<void> {
    await this.inboxes.disable(principal.workspaceId, id);
  }
}
