import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { detectAutomatic, type AutomaticVerdict } from './auto-detect.js';
import { messageIdsIn } from './email-threading.js';
import { visibleText } from './visible-text.js';

export interface EmailAddress {
  address: string;
  name: string | null;
}

export interface EmailAttachment {
  filename: string;
  contentType: string;
  size: number;
  content: Buffer;
  /** Content-ID without brackets, for inline images referenced as `cid:` from the HTML. */
  contentId: string | null;
  inline: boolean;
}

/** What a delivery status notification says about the message it returns. */
export interface DeliveryReport {
  originalMessageId: string | null;
  action: string | null;
  status: string | null;
  diagnostic: string | null;
  recipient: string | null;
  /** A permanent failure (Action: failed or a 5.x.x status), not a delay. */
  failed: boolean;
}

/** One inbound email, parsed and classified; no domain knowledge. */
export interface ParsedEmail {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  date: Date | null;
  from: EmailAddress | null;
  to: EmailAddress[];
  cc: EmailAddress[];
  /** Every address the message was delivered to (To, Cc, Delivered-To, X-Original-To). */
  recipients: string[];
  text: string;
  html: string | null;
  /** The new text of a reply: quoted history and signatures stripped (see visibleText). */
  visibleText: string;
  quoteStripped: boolean;
  attachments: EmailAttachment[];
  automatic: AutomaticVerdict | null;
  report: DeliveryReport | null;
  /** SHA-256 of the identifying headers and the body: the dedupe key when there is no Message-ID. */
  fingerprint: string;
}

export class EmailParseError extends Error {}

/** Parses raw RFC 822 bytes with mailparser and classifies them (auto-reply, bounce). */
export async function parseEmail(
  raw: Buffer,
  options: { ownAddresses?: readonly string[] } = {},
): Promise<ParsedEmail> {
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, { keepCidLinks: true, keepDeliveryStatus: true, skipImageLinks: true });
  } catch (error) {
    throw new EmailParseError(`unreadable MIME: ${(error as Error).message}`);
  }
  const headers = new Map<string, string[]>();
  for (const { key, line } of mail.headerLines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    headers.set(key, [...(headers.get(key) ?? []), value]);
  }
  const from = addresses(mail.from)[0] ?? null;
  const to = addresses(mail.to);
  const cc = addresses(mail.cc);
  const recipients = [
    ...to.map((a) => a.address),
    ...cc.map((a) => a.address),
    ...['delivered-to', 'x-original-to', 'envelope-to'].flatMap((name) =>
      (headers.get(name) ?? []).map((value) => value.replace(/^<|>$/g, '').trim()),
    ),
  ].filter(Boolean);
  const contentType = mail.headers.get('content-type') as
    { value?: string; params?: Record<string, string> } | undefined;
  const text = (mail.text ?? '').replace(/\r\n/g, '\n');
  const html = typeof mail.html === 'string' && mail.html.trim() ? mail.html : null;
  const attachments: EmailAttachment[] = [];
  let report: DeliveryReport | null = null;
  let returned: string | null = null;
  for (const attachment of mail.attachments) {
    const type = attachment.contentType.toLowerCase();
    if (type === 'message/delivery-status') {
      report = deliveryStatus(attachment.content.toString('utf8'));
      continue;
    }
    if (type === 'message/rfc822' || type === 'text/rfc822-headers')
      returned ??= messageIdHeader(attachment.content);
    const contentId = attachment.contentId?.replace(/^<|>$/g, '') ?? null;
    attachments.push({
      filename: attachment.filename ?? defaultName(type, attachments.length),
      contentType: type,
      size: attachment.size,
      content: attachment.content,
      contentId,
      inline:
        attachment.contentDisposition === 'inline' || (attachment.related === true && contentId !== null),
    });
  }
  const automatic = detectAutomatic({
    headers,
    contentType: contentType?.value ?? null,
    reportType: contentType?.params?.['report-type'] ?? null,
    from: from?.address ?? null,
    ownAddresses: options.ownAddresses ?? [],
  });
  if (automatic?.kind === 'bounce') {
    // A bounce without a machine-readable status (a plain-text MAILER-DAEMON notice) is a failure.
    report ??= {
      originalMessageId: null,
      action: null,
      status: null,
      diagnostic: text.trim().replace(/\s+/g, ' ').slice(0, 500) || null,
      recipient: null,
      failed: true,
    };
    report.originalMessageId = returned ?? report.originalMessageId;
  }
  const messageId = messageIdsIn(mail.messageId)[0] ?? null;
  const visible = visibleText(text);
  return {
    messageId,
    inReplyTo: messageIdsIn(mail.inReplyTo)[0] ?? null,
    references: messageIdsIn(mail.references ?? []),
    subject: (mail.subject ?? '').trim(),
    date: headers.has('date') && mail.date ? mail.date : null,
    from,
    to,
    cc,
    recipients,
    text,
    html,
    visibleText: visible.text,
    quoteStripped: visible.stripped,
    attachments,
    automatic,
    report: automatic?.kind === 'bounce' ? report : null,
    fingerprint: createHash('sha256')
      .update(
        [from?.address ?? '', headers.get('date')?.[0] ?? '', mail.subject ?? '', text, html ?? '']
          .concat(to.map((a) => a.address))
          .join('\u0000'),
      )
      .digest('hex'),
  };
}

function addresses(value: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const out: EmailAddress[] = [];
  const visit = (entries: AddressObject['value']) => {
    for (const entry of entries) {
      if (entry.group) visit(entry.group);
      else if (entry.address) out.push({ address: entry.address.trim(), name: entry.name?.trim() || null });
    }
  };
  for (const object of list) visit(object.value);
  return out;
}

function messageIdHeader(content: Buffer): string | null {
  const head = content.toString('utf8', 0, Math.min(content.length, 64 * 1024)).split(/\r?\n\r?\n/)[0] ?? '';
  const line = /^message-id:[ \t]*((?:.*)(?:\r?\n[ \t].*)*)/im.exec(head)?.[1];
  return line ? (messageIdsIn(line)[0] ?? null) : null;
}

/** RFC 3464 fields of the first recipient block. */
function deliveryStatus(text: string): DeliveryReport {
  const unfolded = text.replace(/\r?\n[ \t]+/g, ' ');
  const field = (name: string) =>
    new RegExp(`^${name}:[ \\t]*(.+)$`, 'im').exec(unfolded)?.[1]?.trim() ?? null;
  const action = field('Action')?.toLowerCase() ?? null;
  const status = /\d\.\d{1,3}\.\d{1,3}/.exec(field('Status') ?? '')?.[0] ?? null;
  const diagnostic = field('Diagnostic-Code')?.replace(/^[\w-]+;\s*/, '') ?? null;
  const recipient = field('Final-Recipient')?.replace(/^[\w-]+;\s*/, '') ?? null;
  return {
    originalMessageId: null,
    action,
    status,
    diagnostic,
    recipient,
    failed: action === 'failed' || (status?.startsWith('5.') ?? false),
  };
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'application/pdf': 'pdf',
  'message/rfc822': 'eml',
  'text/plain': 'txt',
  'text/rfc822-headers': 'txt',
};

function defaultName(type: string, index: number): string {
  return `attachment-${index + 1}.${EXTENSIONS[type] ?? 'bin'}`;
}
