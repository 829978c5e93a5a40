import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@parley/accounts';
import { AUTOMATION_EVENTS, AutomationService } from '@parley/inbox';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { uuid } from '../common/params.js';

const RULE_SCHEMA = {
  type: 'object',
  required: ['name', 'event', 'actions'],
  properties: {
    name: { type: 'string' },
    enabled: { type: 'boolean', default: true },
    position: { type: 'integer', description: 'Rules of one event run in this order' },
    event: { type: 'string', enum: [...AUTOMATION_EVENTS] },
    conditions: {
      type: 'object',
      description:
        'all: every one must match; any: at least one (see docs/automation.md for fields and operators)',
      example: { all: [{ field: 'message.body', operator: 'contains', value: 'refund' }], any: [] },
    },
    actions: {
      type: 'array',
      example: [
        { type: 'set_priority', priority: 'high' },
        { type: 'add_label', label: 'refund' },
      ],
    },
  },
};

/** Automation rules are checked by the rule language itself (allow-listed fields and operators). */
@ApiTags('automation')
@ApiBearerAuth()
@Controller('api/v1/automation-rules')
export class AutomationRulesController {
  constructor(private readonly automation: AutomationService) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: await this.automation.list(principal.workspaceId) };
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return this.automation.get(principal.workspaceId, id);
  }

  @Post()
  @RequireRole('supervisor')
  @ApiBody({ schema: RULE_SCHEMA })
  @ApiOperation({ summary: 'Create a rule: event → conditions → actions' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: Record<string, unknown>) {
    return this.automation.create(principal.workspaceId, body);
  }

  @Put(':id')
  @RequireRole('supervisor')
  @ApiBody({ schema: RULE_SCHEMA })
  @ApiOperation({ summary: 'Replace a rule' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() body: Record<string, unknown>,
  ) {
    return this.automation.update(principal.workspaceId, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('supervisor')
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string): Promise<void> {
    await this.automation.remove(principal.workspaceId, id);
  }
}
