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
