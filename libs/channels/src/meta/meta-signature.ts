import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`. Meta signs the exact bytes
 * (with `\u` and `\/` escapes), so this must see the raw body, never re-serialized JSON.
 */
export function verifyMetaSignature(appSecret: string, header: string | undefined, rawBody: Buffer): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = Buffer.from(signMetaPayload(appSecret, rawBody));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function signMetaPayload(appSecret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}
