import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../common/pagination.dto.js';

export class ListContactsQuery extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Name, email or phone contains it, in any case' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  q?: string;
}

export class UpdateContactDto {
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) name?: string | null;

  @ApiPropertyOptional({
    description: 'Merged into the existing attributes',
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'Consent flags, merged into the existing ones',
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  consent?: Record<string, unknown>;
}

export class MergeContactDto {
  @ApiProperty({ description: 'The contact to merge into this one; it stops existing on its own' })
  @IsUUID()
  sourceContactId: string;
}
