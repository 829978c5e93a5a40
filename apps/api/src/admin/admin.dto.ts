import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
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
import { ROLES, type Role } from '@parley/accounts';
import { AssignmentPolicyDto } from '../common/assignment-policy.dto.js';

export class AddMemberDto {
  @ApiProperty() @IsEmail() @MaxLength(320) email: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiPropertyOptional({ description: 'Required when the email is new to Parley', minLength: 8 })
  @IsOptional()
  @IsString()
  @MinLength(8)
  @MaxLength(200)
  password?: string;
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role: Role;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(1000) capacity?: number;
}

export class UpdateMemberDto {
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: Role;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(1000) capacity?: number;
  @ApiPropertyOptional({ enum: ['online', 'busy', 'offline'] })
  @IsOptional()
  @IsIn(['online', 'busy', 'offline'])
  availability?: 'online' | 'busy' | 'offline';

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { webchat: 3, email: 10 },
    description: 'Per channel limits within capacity',
  })
  @IsOptional()
  @IsObject()
  channelCapacity?: Record<string, number>;
}

export class TeamDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) name: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;
  @ApiPropertyOptional({ type: AssignmentPolicyDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AssignmentPolicyDto)
  assignment?: AssignmentPolicyDto;
}

export class UpdateTeamDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;
  @ApiPropertyOptional({ type: AssignmentPolicyDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AssignmentPolicyDto)
  assignment?: AssignmentPolicyDto;
}

export class TeamMembersDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('4', { each: true })
  userIds: string[];
}

export class CreateApiKeyDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) name: string;
}

export class WorkspaceSettingsDto {
  @ApiPropertyOptional({
    description: 'A customer message within this many days of a resolve reopens it',
    minimum: 0,
    maximum: 90,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(90)
  reopenWindowDays?: number;

  @ApiPropertyOptional({
    description:
      'First-contact resolution and repeat contacts are judged over this many days after a resolve (default 7)',
    minimum: 1,
    maximum: 90,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(90)
  fcrWindowDays?: number;
}

export class UpdateWorkspaceDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) name?: string;
  @ApiPropertyOptional({ example: 'Europe/Lisbon' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;
  @ApiPropertyOptional({ type: WorkspaceSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => WorkspaceSettingsDto)
  settings?: WorkspaceSettingsDto;
}

export class AvailabilityDto {
  @ApiProperty({ enum: ['online', 'busy', 'offline'] })
  @IsIn(['online', 'busy', 'offline'])
  availability: 'online' | 'busy' | 'offline';
}
