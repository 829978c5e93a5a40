import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@parley/accounts';
import { REPORT_SERIES, ReportsService } from '@parley/reporting';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { DistributionQueryDto, ReportQueryDto, SeriesQueryDto } from './reports.dto.js';

/** Supervisor reports; definitions in docs/metrics.md. Durations come in calendar and business seconds. */
@ApiTags('reports')
@ApiBearerAuth()
@RequireRole('supervisor')
@Controller('api/v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('summary')
  @ApiOperation({
    summary:
      'Volume, FRT, next reply, first/full/active resolution (mean, median, p90), FCR %, reopen %, handle time, effort, SLA attainment',
  })
  summary(@CurrentPrincipal() principal: Principal, @Query() query: ReportQueryDto) {
    return this.reports.summary(query.toFilter(principal.workspaceId));
  }

  @Get('timeseries')
  @ApiOperation({
    summary: `One metric per day, week or month (workspace time zone): ${REPORT_SERIES.join(', ')}`,
  })
  async series(@CurrentPrincipal() principal: Principal, @Query() query: SeriesQueryDto) {
    const metric = query.metric ?? 'volume';
    const interval = query.interval ?? 'day';
    return {
      metric,
      interval,
      points: await this.reports.series(query.toFilter(principal.workspaceId), metric, interval),
    };
  }

  @Get('distribution')
  @ApiOperation({
    summary: 'How many conversations fall in each duration bucket (upTo in seconds; null = longer)',
  })
  async distribution(@CurrentPrincipal() principal: Principal, @Query() query: DistributionQueryDto) {
    const metric = query.metric ?? 'first_response';
    return {
      metric,
      buckets: await this.reports.distribution(query.toFilter(principal.workspaceId), metric),
    };
  }

  @Get('agents')
  @ApiOperation({ summary: 'Agent leaderboard: resolved, FCR %, FRT and next reply, handle time' })
  async agents(@CurrentPrincipal() principal: Principal, @Query() query: ReportQueryDto) {
    return { items: await this.reports.leaderboard(query.toFilter(principal.workspaceId)) };
  }

  @Get('live')
  @ApiOperation({
    summary: 'The queue now: open, pending, unassigned, waiting, longest wait, agents and load',
  })
  live(@CurrentPrincipal() principal: Principal) {
    return this.reports.live(principal.workspaceId);
  }

  @Get('export.csv')
  @ApiProduces('text/csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOperation({ summary: 'The period’s conversation cycles as CSV (one row per cycle, at most 100,000)' })
  async exportCsv(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ReportQueryDto,
    @Res({ passthrough: true }) response: { setHeader(name: string, value: string): void },
  ): Promise<string> {
    const filter = query.toFilter(principal.workspaceId);
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="parley-cycles-${filter.from.toISOString().slice(0, 10)}-${filter.to.toISOString().slice(0, 10)}.csv"`,
    );
    return this.reports.exportCsv(filter);
  }

  @Get('assignment')
  @ApiOperation({
    summary:
      'Conversations opened in the period: time to assign (median, p90, mean seconds), bounces, assignments by kind',
  })
  @ApiQuery({ name: 'from', required: false, description: 'ISO time; default 7 days before `to`' })
  assignmentReport(@CurrentPrincipal() principal: Principal, @Query() query: ReportQueryDto) {
    return this.reports.assignment(query.toFilter(principal.workspaceId, 7));
  }
}
