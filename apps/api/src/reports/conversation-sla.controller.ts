import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@parley/accounts';
import { ConversationsService } from '@parley/inbox';
import { MetricsService } from '@parley/reporting';
import { CurrentPrincipal } from '../auth/auth.decorators.js';
import { uuid } from '../common/params.js';

/** The SLA countdowns of one conversation, for the agent's conversation view. */
@ApiTags('conversations')
@ApiBearerAuth()
@Controller('api/v1/conversations/:id/sla')
export class ConversationSlaController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly metrics: MetricsService,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'The SLA policy of the current cycle and each target: running (with its due time), met or breached',
  })
  async get(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    await this.conversations.get(principal.workspaceId, id);
    return this.metrics.slaTimers(principal.workspaceId, id);
  }
}
