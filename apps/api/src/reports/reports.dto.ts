import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import type { Channel } from '@parley/realtime';
import type { ReportFilter } from '@parley/reporting';
import { PeriodQueryDto } from '../common/period.dto.js';
import { CHANNELS } from '../conversations/conversation.dto.js';

const DAY_MS = 86_400_000;

/** Period and filters shared by every report. */
export class ReportQueryDto extends PeriodQueryDto {
  @ApiPropertyOptional({ enum: CHANNELS }) @IsOptional() @IsIn(CHANNELS) channel?: Channel;
  @ApiPropertyOptional() @IsOptional() @IsUUID() inboxId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() teamId?: string;
  @ApiPropertyOptional({ description: 'Each metric filters by the agent it is attributed to' })
  @IsOptional()
  @IsUUID()
  agentId?: string;
  @ApiPropertyOptional({ description: 'Label name' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  label?: string;

  /** `defaultDays`: the period's length when `from` is left out. */
  toFilter(workspaceId: string, defaultDays = 30): ReportFilter {
    const to = this.to ? new Date(this.to) : new Date();
    const from = this.from ? new Date(this.from) : new Date(to.getTime() - defaultDays * DAY_MS);
    return {
      workspaceId,
      from,
      to,
      channel: this.channel,
      inboxId: this.inboxId,
      teamId: this.teamId,
      agentId: this.agentId,
      label: this.label,
    };
  }
}

export class SeriesQueryDto extends ReportQueryDto {
  @ApiPropertyOptional({ default: 'volume' }) @IsOptional() @IsString() metric?: string;
  @ApiPropertyOptional({ enum: ['day', 'week', 'month'], default: 'day' })
  @IsOptional()
  @IsString()
  interval?: string;
}

export class DistributionQueryDto extends ReportQueryDto {
  @ApiPropertyOptional({ enum: ['first_response', 'full_resolution'], default: 'first_response' })
  @IsOptional()
  @IsString()
  metric?: string;
}
