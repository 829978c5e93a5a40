import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { Channel } from '@parley/realtime';
import type {
  SurveyFilter,
  SurveyGroupBy,
  SurveyKind,
  SurveyPolicyOverride,
  SurveyStatus,
} from '@parley/surveys';
import { PageQueryDto } from '../common/pagination.dto.js';
import { PeriodQueryDto } from '../common/period.dto.js';
import { CHANNELS } from '../conversations/conversation.dto.js';

const DAY_MS = 86_400_000;
const KINDS: SurveyKind[] = ['csat', 'ces', 'nps'];
const STATUSES: SurveyStatus[] = ['scheduled', 'sent', 'answered', 'expired', 'cancelled', 'skipped'];
const GROUP_BY: SurveyGroupBy[] = ['none', 'channel', 'team', 'agent', 'day'];

/** Partial policy: fields left out inherit (defaults → workspace → inbox). Ranges are checked by the service. */
export class SurveyPolicyDto implements SurveyPolicyOverride {
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ example: ['csat', 'ces'], description: 'Asked in this order; at most two' })
  @IsOptional()
  @IsArray()
  @IsIn(['csat', 'ces'], { each: true })
  kinds?: Array<'csat' | 'ces'>;
  @ApiPropertyOptional({ default: 10, minimum: 0, maximum: 10080 })
  @IsOptional()
  @IsInt()
  delayMinutes?: number;
  @ApiPropertyOptional({ default: 7, minimum: 0, maximum: 365 }) @IsOptional() @IsInt() throttleDays?: number;
  @ApiPropertyOptional({ default: 1, minimum: 0, maximum: 100 })
  @IsOptional()
  @IsInt()
  minAgentReplies?: number;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() surveyAutoResolved?: boolean;
  @ApiPropertyOptional({ default: 7, minimum: 1, maximum: 90 }) @IsOptional() @IsInt() expiryDays?: number;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() askComment?: boolean;
  @ApiPropertyOptional({ default: 30, minimum: 1, maximum: 1440 })
  @IsOptional()
  @IsInt()
  commentWindowMinutes?: number;
  @ApiPropertyOptional({ default: 90, minimum: 30, maximum: 730 })
  @IsOptional()
  @IsInt()
  npsThrottleDays?: number;
  @ApiPropertyOptional({ default: 'en' }) @IsOptional() @IsString() @MaxLength(35) defaultLocale?: string;
  @ApiPropertyOptional({
    description:
      'Words per locale: csat, ces, nps, replyHint, linkHint, comment, thanks, csatLow, csatHigh, cesLow, cesHigh, npsLow, npsHigh',
    example: { de: { thanks: 'Danke für Ihr Feedback!' } },
  })
  @IsOptional()
  @IsObject()
  wording?: SurveyPolicyOverride['wording'];
}

/** The period (surveys sent in it) and the filters every survey query takes. */
class SurveyPeriodFields extends PeriodQueryDto {
  @ApiPropertyOptional({ enum: KINDS }) @IsOptional() @IsIn(KINDS) kind?: SurveyKind;
  @ApiPropertyOptional({ enum: CHANNELS }) @IsOptional() @IsIn(CHANNELS) channel?: Channel;
  @ApiPropertyOptional() @IsOptional() @IsUUID() teamId?: string;
  @ApiPropertyOptional({ description: 'The assignee snapshotted when the survey was sent' })
  @IsOptional()
  @IsUUID()
  agentId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() inboxId?: string;
}

function periodFilter(dto: SurveyPeriodFields): SurveyFilter {
  const to = dto.to ? new Date(dto.to) : new Date(Date.now() + 1000);
  const from = dto.from ? new Date(dto.from) : new Date(to.getTime() - 30 * DAY_MS);
  const { kind, channel, teamId, agentId, inboxId } = dto;
  return { from, to, kind, channel, teamId, agentId, inboxId };
}

export class SurveySummaryQueryDto extends SurveyPeriodFields {
  @ApiPropertyOptional({ enum: GROUP_BY, default: 'none' })
  @IsOptional()
  @IsIn(GROUP_BY)
  groupBy?: SurveyGroupBy;

  toFilter(): SurveyFilter {
    return periodFilter(this);
  }
}

export class SurveyListQueryDto extends IntersectionType(SurveyPeriodFields, PageQueryDto) {
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: SurveyStatus;
  @ApiPropertyOptional() @IsOptional() @IsUUID() contactId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() conversationId?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(10) minScore?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(10) maxScore?: number;

  toFilter(): SurveyFilter {
    const { status, contactId, conversationId, minScore, maxScore } = this;
    return { ...periodFilter(this), status, contactId, conversationId, minScore, maxScore };
  }
}

class CampaignSegmentDto {
  @ApiProperty({
    minimum: 1,
    maximum: 365,
    example: 90,
    description: 'Contacts with a conversation resolved within this many days',
  })
  @IsInt()
  @Min(1)
  @Max(365)
  resolvedWithinDays: number;

  @ApiPropertyOptional({
    enum: CHANNELS,
    isArray: true,
    description: 'Only contacts last resolved on these channels',
  })
  @IsOptional()
  @IsArray()
  @IsIn(CHANNELS, { each: true })
  channels?: Channel[];
}

export class CreateCampaignDto {
  @ApiProperty({ example: 'Q4 relationship NPS' }) @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiProperty({ type: CampaignSegmentDto })
  @IsObject()
  @ValidateNested()
  @Type(() => CampaignSegmentDto)
  segment: CampaignSegmentDto;
  @ApiPropertyOptional({
    default: 60,
    minimum: 1,
    maximum: 6000,
    description: 'Surveys sent per minute at most',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(6000)
  ratePerMinute?: number;
}

class PublicAnswerDto {
  @ApiProperty() @IsUUID() surveyId: string;
  @ApiProperty({ description: 'CSAT 1-5, CES 1-7, NPS 0-10' }) @IsInt() score: number;
}

export class PublicSurveyAnswerDto {
  @ApiProperty({ type: [PublicAnswerDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @ValidateNested({ each: true })
  @Type(() => PublicAnswerDto)
  answers: PublicAnswerDto[];

  @ApiPropertyOptional({ maxLength: 2000 }) @IsOptional() @IsString() @MaxLength(2000) comment?: string;
}

export class SurveyExclusionDto {
  @ApiProperty({ description: 'true: do not survey this conversation (cancels a scheduled survey)' })
  @IsBoolean()
  excluded: boolean;
}
