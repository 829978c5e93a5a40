import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@parley/accounts';
import { CalendarsService, SlaPoliciesService } from '@parley/reporting';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { uuid } from '../common/params.js';
import { CalendarAssignmentDto, CalendarDto, SlaPolicyDto, UpdateCalendarDto } from './calendars-sla.dto.js';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/calendars')
export class CalendarsController {
  constructor(private readonly calendars: CalendarsService) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: await this.calendars.list(principal.workspaceId) };
  }

  @Post()
  @RequireRole('supervisor')
  @ApiOperation({ summary: 'Create a business calendar (time zone, intervals per weekday, holidays)' })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CalendarDto) {
    return this.calendars.create(principal.workspaceId, { ...dto, holidays: dto.holidays ?? [] });
  }

  @Patch(':id')
  @RequireRole('supervisor')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() dto: UpdateCalendarDto,
  ) {
    return this.calendars.update(principal.workspaceId, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('supervisor')
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string): Promise<void> {
    await this.calendars.remove(principal.workspaceId, id);
  }

  @Put('assignments')
  @HttpCode(204)
  @RequireRole('supervisor')
  @ApiOperation({
    summary: 'Use a calendar for the workspace (default), an inbox or a team; team wins over inbox',
  })
  async assign(@CurrentPrincipal() principal: Principal, @Body() dto: CalendarAssignmentDto): Promise<void> {
    await this.calendars.assign(principal.workspaceId, dto.scope, dto.scopeId, dto.calendarId);
  }
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/sla-policies')
export class SlaPoliciesController {
  constructor(private readonly policies: SlaPoliciesService) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: await this.policies.list(principal.workspaceId) };
  }

  @Post()
  @RequireRole('supervisor')
  @ApiOperation({ summary: 'Create an SLA policy: conditions (priority, channel, team, inbox) and targets' })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: SlaPolicyDto) {
    return this.policies.create(principal.workspaceId, dto);
  }

  @Put(':id')
  @RequireRole('supervisor')
  update(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string, @Body() dto: SlaPolicyDto) {
    return this.policies.update(principal.workspaceId, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('supervisor')
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string): Promise<void> {
    await this.policies.remove(principal.workspaceId, id);
  }
}
