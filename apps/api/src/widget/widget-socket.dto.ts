import { Type } from 'class-transformer';
import {
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';

export class VisitorDetailsDto {
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @IsString() @MaxLength(320) email?: string;
  @IsOptional() @IsString() @MaxLength(40) phone?: string;
  /** Custom pre-chat fields, by field name. */
  @IsOptional() @IsObject() fields?: Record<string, string>;
}

export class VisitorMessageDto {
  /** Bounded again by WIDGET_MAX_MESSAGE_LENGTH; this caps what is even parsed. */
  @IsString() @MaxLength(65_536) body: string;
  /** The widget's id for its optimistic copy; a resend with the same id is not stored twice. */
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{8,64}$/, { message: 'must be 8-64 letters, digits, _ or -' })
  echoId: string;
  /** The survey this message answers (a press on a survey button). */
  @IsOptional() @IsString() @MaxLength(64) surveyId?: string;
  @IsOptional() @ValidateNested() @Type(() => VisitorDetailsDto) details?: VisitorDetailsDto;
}

export class SyncDto {
  /** The newest message the widget has; omitted for the whole history. */
  @IsOptional() @IsUUID('4') after?: string;
}

export class VisitorTypingDto {
  @IsIn(['on', 'off']) state: 'on' | 'off';
}

export class ReadDto {
  /** The newest message the visitor has seen. */
  @IsUUID('4') upTo: string;
}

export class ContactUpdateDto {
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @IsString() @MaxLength(320) email?: string;
}
