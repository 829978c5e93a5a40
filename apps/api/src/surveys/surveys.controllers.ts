import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@parley/accounts';
import {
  SurveyCampaignsService,
  SurveyPoliciesService,
  SurveyReportsService,
  SurveysService,
} from '@parley/surveys';
import { CurrentPrincipal, Public, RequireRole } from '../auth/auth.decorators.js';
import { uuid } from '../common/params.js';
import {
  CreateCampaignDto,
  PublicSurveyAnswerDto,
  SurveyExclusionDto,
  SurveyListQueryDto,
  SurveyPolicyDto,
  SurveySummaryQueryDto,
} from './surveys.dto.js';

/** Survey responses, aggregates, policy and NPS campaigns; definitions in docs/surveys.md. */
@ApiTags('surveys')
@ApiBearerAuth()
@RequireRole('supervisor')
@Controller('api/v1/surveys')
export class SurveysController {
  constructor(
    private readonly reports: SurveyReportsService,
    private readonly policies: SurveyPoliciesService,
    private readonly campaigns: SurveyCampaignsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Surveys with their status, score and comment, newest first (keyset cursor)' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: SurveyListQueryDto) {
    return this.reports.list(principal.workspaceId, query.toFilter(), query.limit ?? 25, query.cursor);
  }

  @Get('summary')
  @ApiOperation({
    summary:
      'CSAT % and mean, CES mean and % easy, NPS, response rates — surveys sent in the period, grouped',
  })
  async summary(@CurrentPrincipal() principal: Principal, @Query() query: SurveySummaryQueryDto) {
    const groupBy = query.groupBy ?? 'none';
    return { groupBy, items: await this.reports.summary(principal.workspaceId, query.toFilter(), groupBy) };
  }

  @Get('policy')
  @ApiOperation({ summary: 'The workspace survey policy: what applies, and what is stored' })
  policy(@CurrentPrincipal() principal: Principal) {
    return this.policies.get(principal.workspaceId);
  }

  @Put('policy')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Replace the workspace survey policy (fields left out use the defaults)' })
  putPolicy(@CurrentPrincipal() principal: Principal, @Body() dto: SurveyPolicyDto) {
    return this.policies.put(principal.workspaceId, null, { ...dto });
  }

  @Get('policy/inboxes/:inboxId')
  @ApiOperation({ summary: "An inbox's survey policy override and what applies there" })
  inboxPolicy(@CurrentPrincipal() principal: Principal, @Param('inboxId', uuid) inboxId: string) {
    return this.policies.get(principal.workspaceId, inboxId);
  }

  @Put('policy/inboxes/:inboxId')
  @RequireRole('admin')
  @ApiOperation({ summary: "Replace an inbox's override (fields left out inherit the workspace policy)" })
  putInboxPolicy(
    @CurrentPrincipal() principal: Principal,
    @Param('inboxId', uuid) inboxId: string,
    @Body() dto: SurveyPolicyDto,
  ) {
    return this.policies.put(principal.workspaceId, inboxId, { ...dto });
  }

  @Delete('policy/inboxes/:inboxId')
  @RequireRole('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'The inbox goes back to the workspace policy' })
  async clearInboxPolicy(@CurrentPrincipal() principal: Principal, @Param('inboxId', uuid) inboxId: string) {
    await this.policies.clear(principal.workspaceId, inboxId);
  }

  @Get('campaigns')
  @ApiOperation({ summary: 'NPS campaigns with their progress' })
  async listCampaigns(@CurrentPrincipal() principal: Principal) {
    return { items: await this.campaigns.list(principal.workspaceId) };
  }

  @Post('campaigns')
  @ApiOperation({
    summary: 'Start an NPS campaign to a segment; contacts asked within the NPS throttle are skipped',
  })
  createCampaign(@CurrentPrincipal() principal: Principal, @Body() dto: CreateCampaignDto) {
    return this.campaigns.create(principal.workspaceId, principal.userId, dto);
  }

  @Get('campaigns/:id')
  campaign(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return this.campaigns.get(principal.workspaceId, id);
  }
}

/** What agents see and decide about one conversation's surveys. */
@ApiTags('surveys')
@ApiBearerAuth()
@Controller('api/v1/conversations/:id')
export class ConversationSurveysController {
  constructor(
    private readonly reports: SurveyReportsService,
    private readonly surveys: SurveysService,
  ) {}

  @Get('surveys')
  @ApiOperation({ summary: "The conversation's surveys (every cycle) and whether agents excluded it" })
  async list(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    const excluded = await this.surveys.exclusion(principal.workspaceId, id);
    const page = await this.reports.list(
      principal.workspaceId,
      { from: new Date(0), to: new Date(Date.now() + 60_000), conversationId: id },
      100,
    );
    return { excluded, items: page.items };
  }

  @Put('survey-exclusion')
  @ApiOperation({ summary: "Don't survey this conversation (cancels a scheduled survey), or allow it again" })
  async exclude(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() dto: SurveyExclusionDto,
  ) {
    await this.surveys.exclude(principal.workspaceId, id, principal.userId, dto.excluded);
    return { excluded: dto.excluded };
  }
}

/**
 * The public survey page's API (the link in a survey email). Opening it never answers: the page
 * shows the question and the customer confirms, so mail scanners following links cannot answer.
 */
@ApiTags('surveys')
@Public()
@Controller('api/v1/public/surveys/:token')
export class PublicSurveysController {
  constructor(private readonly surveys: SurveysService) {}

  @Get()
  @ApiOperation({ summary: 'The questions behind a survey link, with any answer already given' })
  view(@Param('token') token: string) {
    return this.surveys.view(token);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Answer (or change the answer until the link expires)' })
  answer(@Param('token') token: string, @Body() dto: PublicSurveyAnswerDto) {
    return this.surveys.answerByToken(token, dto.answers, dto.comment?.trim() || null);
  }
}
