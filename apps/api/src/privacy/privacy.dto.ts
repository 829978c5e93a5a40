import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../common/pagination.dto.js';

export class EraseContactDto {
  @ApiProperty({ description: 'The id of the contact again, to confirm an erasure that cannot be undone' })
  @IsString()
  @MaxLength(100)
  confirm: string;
}

export class ExportContactQuery {
  @ApiPropertyOptional({
    default: true,
    description:
      'Include internal notes (staff data about the subject, marked internal); false when an exemption applies',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  notes?: boolean;
}

export class AuditLogQuery extends PageQueryDto {
  @ApiPropertyOptional({ description: 'User or API key id' }) @IsOptional() @IsUUID() actorId?: string;

  @ApiPropertyOptional({ description: 'Exact action, e.g. contact.erased or inboxes.update' })
  @IsOptional()
  @Matches(/^[a-z_]+\.[a-z_]+$/, { message: 'action must look like resource.verb' })
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ description: 'e.g. contact, inbox, member, api_key' })
  @IsOptional()
  @Matches(/^[a-z_]+$/, { message: 'targetType must be lower-case letters' })
  @MaxLength(50)
  targetType?: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID() targetId?: string;

  @ApiPropertyOptional({ description: 'ISO time, inclusive' }) @IsOptional() @IsISO8601() from?: string;

  @ApiPropertyOptional({ description: 'ISO time, exclusive' }) @IsOptional() @IsISO8601() to?: string;
}
