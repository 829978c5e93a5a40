import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsHexColor, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class CreateLabelDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) name: string;
  @ApiPropertyOptional({ example: '#16a34a' }) @IsOptional() @IsHexColor() color?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;
}

export class UpdateLabelDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsHexColor() color?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;
}

const SHORT_CODE = /^[a-z0-9][a-z0-9_-]*$/;

export class CreateCannedResponseDto {
  @ApiProperty({ description: 'Typed after "/" in the composer', example: 'refund' })
  @IsString()
  @MaxLength(50)
  @Matches(SHORT_CODE, { message: 'shortCode may only contain a-z, 0-9, "_" and "-"' })
  shortCode: string;

  @ApiProperty() @IsString() @MinLength(1) @MaxLength(10000) content: string;
}

export class UpdateCannedResponseDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @Matches(SHORT_CODE, { message: 'shortCode may only contain a-z, 0-9, "_" and "-"' })
  shortCode?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(10000) content?: string;
}

export class SearchQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) q?: string;
}
