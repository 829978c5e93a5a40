import type { ReplyOption } from '../api/types.js';

/** The option a reply goes to first: the conversation's reply inbox when it can be used, else the first usable. */
export function defaultOption(options: ReplyOption[], replyInboxId: string | null): ReplyOption | null {
  return (
    options.find((o) => o.inboxId === replyInboxId && o.available) ??
    options.find((o) => o.available) ??
    options.find((o) => o.inboxId === replyInboxId) ??
    null
  );
}

/** `1=Maria, 2=#1042` → `{"1": "Maria", "2": "#1042"}`; empty → undefined; malformed → null. */
export function parseVariables(text: string): Record<string, string> | undefined | null {
  if (!text.trim()) return undefined;
  const variables: Record<string, string> = {};
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*=\s*(.*?)\s*$/.exec(part);
    if (!match) return null;
    variables[match[1]] = match[2];
  }
  return variables;
}
