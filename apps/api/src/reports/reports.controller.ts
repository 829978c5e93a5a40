import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@parley/accounts';
import { AssignmentService } from '@parley/inbox';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';

const DAY_MS = 24 * 3600_000;

@ApiTags('reports')
@ApiBearerAuth()
@RequireRole('supervisor')
@Controller('api/v1/reports')
export class ReportsController {
  constructor(private readonly assignment: AssignmentService) {}

  @Get('assignment')
  @ApiOperation({
    summary: 'Time to assign (median, p90, mean seconds), assignments by kind, requeues and bounces',
  })
  @ApiQuery({ name: 'from', required: false, description: 'ISO time; default 7 days ago' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO time; default now' })
  assignmentReport(
    @CurrentPrincipal() principal: Principal,
    @Query('from') from?: string,
    @Query('to') to?: string,
  ) {
    const end = to ? new Date(to) : new Date();
    const start = from ? new Date(from) : new Date(end.getTime() - 7 * DAY_MS);
    if (
      Number.isNaN(start.getTime()) ||
      Number.isNaN(end.getTime()) ||
      start >= end ||
      end.getTime() - start.getTime() > 366 * DAY_MS
    ) {
      throw new BadRequestException('from and to must be ISO times, from before to, at most a year apart');
    }
    return this.assignment.report(principal.workspaceId, start, end);
  }
}
