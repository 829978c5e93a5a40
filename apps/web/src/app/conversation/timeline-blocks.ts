import type { MessageView } from '../api/types.js';

export interface Block {
  conversationId: string;
  messages: MessageView[];
}

/** Splits the contact's timeline into runs of one conversation each, oldest first. */
export function blocksOf(messages: MessageView[]): Block[] {
  const blocks: Block[] = [];
  for (const message of messages) {
    const last = blocks[blocks.length - 1];
    if (last && last.conversationId === message.conversationId) last.messages.push(message);
    else blocks.push({ conversationId: message.conversationId, messages: [message] });
  }
  return blocks;
}
