import { hmacHex, readVisitorToken, signVisitorToken, verifyIdentifierHash } from './webchat-signature.js';

describe('web chat signatures', () => {
  it('verifies a host site identifier hash and refuses a wrong or malformed one', () => {
    const hash = hmacHex('inbox-secret', 'user-42');
    // A known vector: the same call in any language must give this.
    expect(hmacHex('key', 'The quick brown fox jumps over the lazy dog')).toBe(
      'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
    expect(verifyIdentifierHash('inbox-secret', 'user-42', hash)).toBe(true);
    expect(verifyIdentifierHash('inbox-secret', 'user-42', hash.toUpperCase())).toBe(true);
    expect(verifyIdentifierHash('inbox-secret', 'user-43', hash)).toBe(false);
    expect(verifyIdentifierHash('other-secret', 'user-42', hash)).toBe(false);
    expect(verifyIdentifierHash('inbox-secret', 'user-42', 'abc')).toBe(false);
  });

  it('round-trips a visitor token and rejects tampering, another key and expiry', () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = signVisitorToken('server-key', { inboxId: 'i1', visitorId: 'v1', exp });
    expect(readVisitorToken('server-key', token)).toEqual({ inboxId: 'i1', visitorId: 'v1', exp });
    expect(readVisitorToken('other-key', token)).toBeNull();
    const [version, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ inboxId: 'i1', visitorId: 'v2', exp })).toString('base64url');
    expect(readVisitorToken('server-key', `${version}.${forged}.${signature}`)).toBeNull();
    expect(readVisitorToken('server-key', token, new Date((exp + 1) * 1000))).toBeNull();
    expect(readVisitorToken('server-key', 'garbage')).toBeNull();
  });
});
