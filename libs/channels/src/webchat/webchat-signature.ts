import { createHmac, timingSafeEqual } from 'node:crypto';

/** Hex HMAC-SHA256 of `message` with `key`: what a host site computes for `identifierHash`. */
export function hmacHex(key: string, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('hex');
}

/** Constant-time check of a host site's `identifierHash` against the inbox's identity secret. */
export function verifyIdentifierHash(secret: string, identifier: string, identifierHash: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(identifierHash)) return false;
  const expected = Buffer.from(hmacHex(secret, identifier), 'hex');
  return timingSafeEqual(expected, Buffer.from(identifierHash.toLowerCase(), 'hex'));
}

export interface VisitorClaims {
  inboxId: string;
  visitorId: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/**
 * A visitor token: `v1.<base64url(JSON claims)>.<base64url(HMAC)>`, signed with a server key. It
 * only says "this browser is visitor X of inbox Y"; it grants nothing else.
 */
export function signVisitorToken(key: string, claims: VisitorClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', key).update(`v1.${body}`).digest('base64url');
  return `v1.${body}.${signature}`;
}

/** The claims of a well-signed, unexpired visitor token; null for anything else. */
export function readVisitorToken(key: string, token: string, now = new Date()): VisitorClaims | null {
  const [version, body, signature] = token.split('.');
  if (version !== 'v1' || !body || !signature || token.length > 1024) return null;
  const expected = createHmac('sha256', key).update(`v1.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<VisitorClaims>;
    if (typeof claims.inboxId !== 'string' || typeof claims.visitorId !== 'string') return null;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now.getTime()) return null;
    return { inboxId: claims.inboxId, visitorId: claims.visitorId, exp: claims.exp };
  } catch {
    return null;
  }
}
