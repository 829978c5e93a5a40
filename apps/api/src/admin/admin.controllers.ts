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
  Put,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiKeysService,
  MembersService,
  TeamsService,
  WorkspacesService,
  type ApiKey,
  type Principal,
  type Workspace,
} from '@parley/accounts';
import { AssignmentService } from '@parley/inbox';
import type { Channel } from '@parley/realtime';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { CHANNELS } from '../conversations/conversation.dto.js';
import {
  AddMemberDto,
  AvailabilityDto,
  CreateApiKeyDto,
  TeamDto,
  TeamMembersDto,
  UpdateMemberDto,
  UpdateTeamDto,
  UpdateWorkspaceDto,
} from './admin.dto.js';
import { uuid } from '../common/params.js';

@ApiTags('workspace')
@ApiBearerAuth()
@Controller('api/v1/workspace')
export class WorkspaceController {
  constructor(private readonly workspaces: WorkspacesService) {}

  @Get()
  async get(@CurrentPrincipal() principal: Principal) {
    return workspaceView(await this.workspaces.get(principal.workspaceId));
  }

  @Patch()
  @RequireRole('admin')
  async update(@CurrentPrincipal() principal: Principal, @Body() dto: UpdateWorkspaceDto) {
    if (dto.timezone && !isTimeZone(dto.timezone)) {
      throw new BadRequestException({
        message: 'Validation failed',
        details: ['timezone: must be an IANA time zone'],
      });
    }
    return workspaceView(
      await this.workspaces.update(principal.workspaceId, {
        ...dto,
        settings: dto.settings ? { ...dto.settings } : undefined,
      }),
    );
  }
}

function workspaceView(workspace: Workspace) {
  return {
    id: workspace.id,
    name: workspace.name,
    timezone: workspace.timezone,
    settings: workspace.settings,
  };
}

function assertChannelCapacity(capacity: Record<string, unknown>): void {
  const bad = Object.entries(capacity).filter(
    ([channel, limit]) =>
      !CHANNELS.includes(channel as Channel) ||
      !Number.isInteger(limit) ||
      (limit as number) < 0 ||
      (limit as number) > 1000,
  );
  if (bad.length) {
    throw new BadRequestException({
      message: 'Validation failed',
      details: bad.map(
        ([channel]) =>
          `channelCapacity.${channel}: must be a channel name with a whole number from 0 to 1000`,
      ),
    });
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

@ApiTags('members')
@ApiBearerAuth()
@Controller('api/v1/members')
export class MembersController {
  constructor(
    private readonly members: MembersService,
    private readonly assignment: AssignmentService,
  ) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: await this.members.list(principal.workspaceId) };
  }

  @Post()
  @RequireRole('admin')
  @ApiOperation({ summary: 'Add a member (creates the user when the email is new)' })
  add(@CurrentPrincipal() principal: Principal, @Body() dto: AddMemberDto) {
    return this.members.add(principal.workspaceId, dto);
  }

  @Put('me/availability')
  @ApiOperation({ summary: 'Set your own availability (online agents receive auto-assigned conversations)' })
  async availability(@CurrentPrincipal() principal: Principal, @Body() dto: AvailabilityDto) {
    if (!principal.userId) throw new BadRequestException('Only a signed-in member has an availability');
    const member = await this.members.update(principal.workspaceId, principal.userId, {
      availability: dto.availability,
    });
    if (dto.availability === 'online') await this.assignment.requestSweep(principal.workspaceId);
    if (dto.availability === 'offline')
      await this.assignment.releaseOffline(principal.workspaceId, principal.userId);
    return member;
  }

  @Patch(':userId')
  @RequireRole('admin')
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('userId', uuid) userId: string,
    @Body() dto: UpdateMemberDto,
  ) {
    if (dto.channelCapacity) assertChannelCapacity(dto.channelCapacity);
    const member = await this.members.update(principal.workspaceId, userId, dto);
    // More room, or a newly online agent: waiting conversations may find a home now.
    await this.assignment.requestSweep(principal.workspaceId);
    if (dto.availability === 'offline') await this.assignment.releaseOffline(principal.workspaceId, userId);
    return member;
  }

  @Delete(':userId')
  @HttpCode(204)
  @RequireRole('admin')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('userId', uuid) userId: string,
  ): Promise<void> {
    await this.members.remove(principal.workspaceId, userId);
  }
}

@ApiTags('teams')
@ApiBearerAuth()
@Controller('api/v1/teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: await this.teams.list(principal.workspaceId) };
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return this.teams.get(principal.workspaceId, id);
  }

  @Post()
  @RequireRole('admin')
  create(@CurrentPrincipal() principal: Principal, @Body() dto: TeamDto) {
    return this.teams.create(principal.workspaceId, dto);
  }

  @Patch(':id')
  @RequireRole('admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() dto: UpdateTeamDto,
  ) {
    return this.teams.update(principal.workspaceId, id, dto);
  }

  @Put(':id/members')
  @RequireRole('admin')
  members(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() dto: TeamMembersDto,
  ) {
    return this.teams.setMembers(principal.workspaceId, id, dto.userIds);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('admin')
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string): Promise<void> {
    await this.teams.remove(principal.workspaceId, id);
  }
}

function apiKeyView(apiKey: ApiKey) {
  return {
    id: apiKey.id,
    name: apiKey.name,
    prefix: apiKey.prefix,
    createdBy: apiKey.createdBy,
    createdAt: apiKey.createdAt.toISOString(),
    lastUsedAt: apiKey.lastUsedAt?.toISOString() ?? null,
    revokedAt: apiKey.revokedAt?.toISOString() ?? null,
  };
}

@ApiTags('api keys')
@ApiBearerAuth()
@RequireRole('admin')
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: (await this.apiKeys.list(principal.workspaceId)).map(apiKeyView) };
  }

  @Post()
  @ApiOperation({ summary: 'Create an API key; the key itself is shown only in this response' })
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateApiKeyDto) {
    const { apiKey, key } = await this.apiKeys.create(principal.workspaceId, dto.name, principal.userId);
    return { ...apiKeyView(apiKey), key };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string): Promise<void> {
    await this.apiKeys.revoke(principal.workspaceId, id);
  }
}
