import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { AttachmentDto } from '../conversations/conversation.dto.js';

export class ApiContactDto {
  @ApiPropertyOptional({ description: "Your system's id for this customer (scoped to the inbox)" })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  identifier?: string;

  @ApiPropertyOptional() @IsOptional() @IsEmail() @MaxLength(320) email?: string;

  @ApiPropertyOptional({ description: 'International format, e.g. +14155550134' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  phone?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) name?: string;
}

export class InboundApiMessageDto {
  @ApiPropertyOptional({
    description: 'Your id for this message; a repeat is answered 200 with the stored message',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  externalId?: string;

  @ApiProperty({ type: ApiContactDto, description: 'Who wrote it: at least one of identifier, email, phone' })
  @IsObject()
  @ValidateNested()
  @Type(() => ApiContactDto)
  contact: ApiContactDto;

  @ApiProperty({ maxLength: 65536 }) @IsString() @MinLength(1) @MaxLength(65536) body: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) subject?: string;

  @ApiPropertyOptional({ type: [AttachmentDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => AttachmentDto)
  attachments?: AttachmentDto[];
}
