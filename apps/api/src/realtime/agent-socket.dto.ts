import { IsIn, IsUUID } from 'class-validator';

export class ConversationRoomDto {
  @IsUUID('4') conversationId: string;
}

export class TypingDto {
  @IsUUID('4') conversationId: string;
  @IsIn(['on', 'off']) state: 'on' | 'off';
}
