import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  IsObject,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PRIORITIES } from '@parley/inbox';
import type { Channel, ConversationStatus, Priority } from '@parley/realtime';
import { PageQueryDto } from '../common/pagination.dto.js';

export const CHANNELS: readonly Channel[] = [
  'webchat',
  'sms',
  'whatsapp',
  'email',
  'messenger',
  'instagram',
  'api',
];
const STATUSES: readonly ConversationStatus[] = ['open', 'pending', 'snoozed', 'resolved'];

export class ListConversationsQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['mine', 'unassigned', 'all'], default: 'all' })
  @IsOptional()
  @IsIn(['mine', 'unassigned', 'all'])
  view?: 'mine' | 'unassigned' | 'all';

  @ApiPropertyOptional({ enum: STATUSES, description: 'Default: every unresolved status' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: ConversationStatus;

  @ApiPropertyOptional() @IsOptional() @IsUUID() teamId?: string;
  @ApiPropertyOptional({ description: 'The inbox replies go to' }) @IsOptional() @IsUUID() inboxId?: string;
  @ApiPropertyOptional({ enum: CHANNELS, description: 'The channel the customer used last' })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional() @IsOptional() @IsUUID() labelId?: string;

  @ApiPropertyOptional({ description: 'Contact name, email or phone contains it, in any case' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: ['newest', 'oldest_waiting', 'priority'], default: 'newest' })
  @IsOptional()
  @IsIn(['newest', 'oldest_waiting', 'priority'])
  sort?: 'newest' | 'oldest_waiting' | 'priority';
}

export class AttachmentDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(255) name: string;
  @ApiProperty() @IsString() @MaxLength(255) contentType: string;
  @ApiProperty() @Type(() => Number) @IsInt() @Min(0) @Max(100 * 1024 * 1024) size: number;
  @ApiProperty() @IsUrl({ protocols: ['http', 'https'], require_tld: false }) @MaxLength(2048) url: string;
}

export class TemplateDto {
  @ApiProperty({
    description: 'Approved template (Twilio Content SID)',
    example: 'HX0123456789abcdef0123456789abcdef',
  })
  @Matches(/^HX[0-9a-fA-F]{32}$/, { message: 'contentSid must be HX + 32 hex digits' })
  contentSid: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { '1': 'Maria' },
  })
  @IsOptional()
  @IsObject()
  variables?: Record<string, string>;
}

export class ReplyDto {
  @ApiPropertyOptional({ maxLength: 65536, description: 'Required unless a template is sent' })
  @ValidateIf((reply: ReplyDto) => reply.template === undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(65536)
  body?: string;

  @ApiPropertyOptional({
    type: TemplateDto,
    description: 'WhatsApp: an approved template, required outside the 24-hour window',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => TemplateDto)
  template?: TemplateDto;

  @ApiPropertyOptional({ description: 'Inbox to reply from; defaults to the channel the customer used last' })
  @IsOptional()
  @IsUUID()
  inboxId?: string;

  @ApiPropertyOptional({ type: [AttachmentDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => AttachmentDto)
  attachments?: AttachmentDto[];
}

export class NoteDto {
  @ApiProperty({ maxLength: 65536 }) @IsString() @MinLength(1) @MaxLength(65536) body: string;
}

export class AssignDto {
  @ApiPropertyOptional({ nullable: true, description: 'A member id, or null to unassign' })
  @IsOptional()
  @IsUUID()
  assigneeId?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'A team id, or null for no team' })
  @IsOptional()
  @IsUUID()
  teamId?: string | null;
}

export class SnoozeDto {
  @ApiProperty({ description: 'ISO 8601 time to wake the conversation', example: '2026-12-01T09:00:00Z' })
  @IsDateString({ strict: true })
  until: string;
}

export class LabelsDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  labels: string[];
}

export class UpdateConversationDto {
  @ApiPropertyOptional({ enum: PRIORITIES }) @IsOptional() @IsIn(PRIORITIES) priority?: Priority;
}
