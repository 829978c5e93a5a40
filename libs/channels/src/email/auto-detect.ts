/** Mail that is not a person writing: never answered automatically, never counted as a customer message. */
export type AutomaticKind = 'auto-reply' | 'bounce';

export interface AutomaticVerdict {
  kind: AutomaticKind;
  /** Which rule matched, for the agent and the logs. */
  reason: string;
}

/** Raw header values by lower-case name (a header may repeat). */
export type HeaderValues = ReadonlyMap<string, readonly string[]>;

const BULK_PRECEDENCE = /^(bulk|junk|list|auto_reply)$/i;
const SUPPRESS_VALUES = /\b(all|oof|autoreply)\b/i;
const DAEMON_SENDER = /^(mailer-daemon|postmaster)@/i;
const AUTO_REPLY_FLAGS = ['x-autoreply', 'x-autorespond', 'x-autoresponder'];

/**
 * RFC 3834 loop and bounce checks (CHANNELS.md §3.8): DSNs and mailer daemons are bounces;
 * Auto-Submitted, X-Autoreply, bulk Precedence, X-Auto-Response-Suppress, X-Loop, List-* and a
 * null reverse-path are automatic replies; so is mail from one of our own addresses (a loop).
 */
export function detectAutomatic(input: {
  headers: HeaderValues;
  contentType: string | null;
  reportType: string | null;
  from: string | null;
  ownAddresses: readonly string[];
}): AutomaticVerdict | null {
  const first = (name: string) => input.headers.get(name)?.[0]?.trim() ?? null;
  const from = input.from?.toLowerCase() ?? null;
  if (
    input.contentType?.toLowerCase() === 'multipart/report' &&
    input.reportType?.toLowerCase() === 'delivery-status'
  )
    return { kind: 'bounce', reason: 'delivery status notification (multipart/report)' };
  if (from && DAEMON_SENDER.test(from)) return { kind: 'bounce', reason: `sent by ${from.split('@')[0]}` };
  const returnPath = first('return-path');
  if (returnPath !== null && /^<\s*>$/.test(returnPath))
    return { kind: 'auto-reply', reason: 'null reverse-path (Return-Path: <>)' };
  const autoSubmitted = first('auto-submitted');
  if (autoSubmitted && !/^no\b/i.test(autoSubmitted))
    return { kind: 'auto-reply', reason: `Auto-Submitted: ${autoSubmitted}` };
  for (const name of AUTO_REPLY_FLAGS) {
    const value = first(name);
    if (value !== null && !/^no\b/i.test(value)) return { kind: 'auto-reply', reason: `${name}: ${value}` };
  }
  for (const name of ['precedence', 'x-precedence']) {
    const value = first(name);
    if (value && BULK_PRECEDENCE.test(value)) return { kind: 'auto-reply', reason: `Precedence: ${value}` };
  }
  const suppress = first('x-auto-response-suppress');
  if (suppress && SUPPRESS_VALUES.test(suppress))
    return { kind: 'auto-reply', reason: `X-Auto-Response-Suppress: ${suppress}` };
  if (input.headers.has('x-loop')) return { kind: 'auto-reply', reason: 'X-Loop' };
  const list = [...input.headers.keys()].find((name) => name.startsWith('list-'));
  if (list) return { kind: 'auto-reply', reason: `mailing list (${list})` };
  if (from && input.ownAddresses.some((own) => own.toLowerCase() === from))
    return { kind: 'auto-reply', reason: 'sent from this inbox’s own address (mail loop)' };
  return null;
}
