import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { PRIORITIES } from '@parley/inbox';
import type { Channel, Priority } from '@parley/realtime';
import type { CalendarScope, WorkInterval, Weekday } from '@parley/reporting';
import { CHANNELS } from '../conversations/conversation.dto.js';

const YEAR_SECONDS = 366 * 86_400;

/** An SLA target in seconds (a minute to a year), or null for none. */
function TargetSeconds(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description: 'Seconds; null for no target', nullable: true }),
    IsOptional(),
    ValidateIf((_, value) => value !== null),
    IsInt(),
    Min(60),
    Max(YEAR_SECONDS),
  );
}

export class CalendarDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) name: string;
  @ApiProperty({ example: 'Europe/Lisbon', description: 'IANA time zone' })
  @IsString()
  @MaxLength(64)
  timezone: string;
  @ApiProperty({
    description: 'Working intervals per weekday (mon…sun), local wall-clock times; a missing day is closed',
    example: {
      mon: [
        { start: '09:00', end: '12:30' },
        { start: '13:30', end: '18:00' },
      ],
    },
  })
  @IsObject()
  week: Partial<Record<Weekday, WorkInterval[]>>;
  @ApiPropertyOptional({ type: [String], example: ['2026-12-25'], description: 'Closed local dates' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  holidays?: string[];
}

export class UpdateCalendarDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) timezone?: string;
  @ApiPropertyOptional() @IsOptional() @IsObject() week?: Partial<Record<Weekday, WorkInterval[]>>;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  holidays?: string[];
}

export class CalendarAssignmentDto {
  @ApiProperty({ enum: ['workspace', 'inbox', 'team'] })
  @IsIn(['workspace', 'inbox', 'team'])
  scope: CalendarScope;
  @ApiProperty({ description: 'The workspace, inbox or team id' }) @IsUUID() scopeId: string;
  @ApiProperty({ nullable: true, description: 'null removes the assignment' })
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  calendarId: string | null;
}

export class SlaPolicyDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) name: string;
  @ApiPropertyOptional({ description: 'Policies are tried in this order; the first match applies' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  position?: number;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ enum: PRIORITIES, isArray: true, description: 'Empty matches any' })
  @IsOptional()
  @IsArray()
  @IsIn(PRIORITIES, { each: true })
  priorities?: Priority[];
  @ApiPropertyOptional({ enum: CHANNELS, isArray: true })
  @IsOptional()
  @IsArray()
  @IsIn(CHANNELS, { each: true })
  channels?: Channel[];
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsUUID('4', { each: true })
  teamIds?: string[];
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsUUID('4', { each: true })
  inboxIds?: string[];
  @TargetSeconds() firstResponseSeconds?: number | null;
  @TargetSeconds() nextReplySeconds?: number | null;
  @TargetSeconds() resolutionSeconds?: number | null;
  @ApiPropertyOptional({ default: true, description: 'Count targets in business hours of the calendar' })
  @IsOptional()
  @IsBoolean()
  businessHours?: boolean;
  @ApiPropertyOptional({ default: 0.8, description: 'Warn when this share of a target has passed' })
  @IsOptional()
  @IsNumber()
  @Min(0.05)
  @Max(0.99)
  warnAt?: number;
}
