import { signMailgun, verifyMailgunSignature } from './mailgun-signature.js';

describe('Mailgun-style webhook signatures', () => {
  const key = 'key-0123456789abcdef';
  const timestamp = '1767225600';
  const token = 'a'.repeat(50);

  it('accepts the HMAC-SHA256 of timestamp + token', () => {
    const signature = signMailgun(key, timestamp, token);
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyMailgunSignature(key, timestamp, token, signature)).toBe(true);
    expect(verifyMailgunSignature(key, timestamp, token, signature.toUpperCase())).toBe(true);
  });

  it('refuses another key, timestamp, token or a malformed signature', () => {
    const signature = signMailgun(key, timestamp, token);
    expect(verifyMailgunSignature('other-key', timestamp, token, signature)).toBe(false);
    expect(verifyMailgunSignature(key, '1767225601', token, signature)).toBe(false);
    expect(verifyMailgunSignature(key, timestamp, `${token}x`, signature)).toBe(false);
    expect(verifyMailgunSignature(key, timestamp, token, signature.slice(2))).toBe(false);
    expect(verifyMailgunSignature(key, timestamp, token, 'zz'.repeat(32))).toBe(false);
    expect(verifyMailgunSignature(key, timestamp, token, '')).toBe(false);
  });
});
