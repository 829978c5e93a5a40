/** The line Parley puts above every reply; everything from it down is the quoted history. */
export const REPLY_SEPARATOR = '##- Please type your reply above this line -##';

/** At most this many References ids go out: the thread's root plus the latest ones (relays cap headers). */
export const MAX_REFERENCES = 11;

const REPLY_PREFIX = /^\s*((re|aw|sv|antw|vs|ref)(\[\d+\]|\(\d+\))?\s*:\s*)+/i;

/** `Re: <subject>`, never `Re: Re:` (also folds AW:/SV:/Antw: and `Re[2]:` from other clients). */
export function replySubject(subject: string | null | undefined): string {
  const base = baseSubject(subject);
  return base ? `Re: ${base}` : 'Re:';
}

/** The subject without reply prefixes, as a conversation's subject. */
export function baseSubject(subject: string | null | undefined): string {
  return (subject ?? '').replace(REPLY_PREFIX, '').replace(/\s+/g, ' ').trim();
}

/** Every `<id>` in a header value (In-Reply-To, References), in order. */
export function messageIdsIn(value: string | readonly string[] | null | undefined): string[] {
  const text = Array.isArray(value) ? value.join(' ') : ((value as string | null | undefined) ?? '');
  return [...text.matchAll(/<([^<>\s]+)>/g)].map((match) => `<${match[1]}>`);
}

/** Deduplicated, and trimmed to the root plus the most recent ids (FreeScout/RFC 5322 practice). */
export function trimReferences(ids: readonly string[], max = MAX_REFERENCES): string[] {
  const unique = [...new Set(ids)];
  if (unique.length <= max) return unique;
  return [unique[0], ...unique.slice(unique.length - (max - 1))];
}

const TOKEN = /^[^@\s+]+\+([0-9a-f]{32}-[0-9a-f]{12})@/i;

/** Reply tokens (`…+<token>@`) found in recipient addresses, in order. */
export function replyTokensIn(addresses: readonly string[]): string[] {
  const tokens: string[] = [];
  for (const address of addresses) {
    const token = TOKEN.exec(address.trim())?.[1]?.toLowerCase();
    if (token && !tokens.includes(token)) tokens.push(token);
  }
  return tokens;
}

/** The domain part of an address, lower-cased. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
