import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
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
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { AssignmentPolicyDto } from '../common/assignment-policy.dto.js';
import type { Channel } from '@parley/realtime';
import { CHANNELS } from '../conversations/conversation.dto.js';

/** Days an inbox keeps content (1 to 100 years), or null to keep it forever. */
function RetentionDays() {
  return applyDecorators(
    ApiPropertyOptional({
      nullable: true,
      minimum: 1,
      maximum: 36500,
      description:
        'Redact messages, attachments and raw provider events older than this many days; null keeps them',
    }),
    IsOptional(),
    ValidateIf((_dto: unknown, value: unknown) => value !== null),
    IsInt(),
    Min(1),
    Max(36500),
  );
}

export class CreateInboxDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) name: string;
  @ApiProperty({ enum: CHANNELS }) @IsIn(CHANNELS) channel: Channel;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsUUID() teamId?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;

  @ApiPropertyOptional({
    description: 'Channel settings that are not secret. API channel: { webhookUrl }',
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      'Channel secrets, encrypted at rest and never returned. API channel: { webhookSecret } (generated if absent)',
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  @IsOptional()
  @IsObject()
  secrets?: Record<string, string>;

  @ApiPropertyOptional({ type: AssignmentPolicyDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AssignmentPolicyDto)
  assignment?: AssignmentPolicyDto;
  @RetentionDays()
  retentionDays?: number | null;
}

export class UpdateInboxDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) name?: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsUUID() teamId?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsObject()
  secrets?: Record<string, string>;

  @ApiPropertyOptional({ type: AssignmentPolicyDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AssignmentPolicyDto)
  assignment?: AssignmentPolicyDto;
  @RetentionDays()
  retentionDays?: number | null;
}
