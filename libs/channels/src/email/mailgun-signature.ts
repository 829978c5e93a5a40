import { createHmac, timingSafeEqual } from 'node:crypto';

/** Mailgun's webhook signature: hex HMAC-SHA256 of `timestamp + token` with the signing key. */
export function signMailgun(signingKey: string, timestamp: string, token: string): string {
  return createHmac('sha256', signingKey).update(`${timestamp}${token}`).digest('hex');
}

/** Constant-time check of a Mailgun-style signature. */
export function verifyMailgunSignature(
  signingKey: string,
  timestamp: string,
  token: string,
  signature: string,
): boolean {
  if (!/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = Buffer.from(signMailgun(signingKey, timestamp, token), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
