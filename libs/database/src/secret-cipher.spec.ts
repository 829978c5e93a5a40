import { createCipheriv, randomBytes } from 'node:crypto';
import { AppConfig } from '@parley/config';
import { SecretCipher, UnreadableSecretError } from './secret-cipher.js';

const keyA = Buffer.alloc(32, 1).toString('base64');
const keyB = Buffer.alloc(32, 2).toString('base64');
const keyC = Buffer.alloc(32, 3).toString('base64');

function cipher(current: string, previous: string[] = []): SecretCipher {
  return new SecretCipher(
    new AppConfig({ ENCRYPTION_KEY: current, ENCRYPTION_KEYS_PREVIOUS: previous.join(',') }),
  );
}

/** A value as the single-key (v1) cipher wrote it. */
function sealV1(key: string, plain: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', Buffer.from(key, 'base64'), iv);
  const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), data.toString('base64')].join(':');
}

describe('SecretCipher key ring', () => {
  it('seals with the current key id and opens what it sealed', () => {
    const a = cipher(keyA);
    const sealed = a.encrypt('s3cret');
    expect(sealed).toMatch(new RegExp(`^v2:${a.currentKeyId}:[^:]+:[^:]+:[^:]+$`));
    expect(a.currentKeyId).toMatch(/^[0-9a-f]{8}$/);
    expect(a.decrypt(sealed)).toBe('s3cret');
    expect(a.isCurrent(sealed)).toBe(true);
  });

  it('opens values of a previous key and re-seals them with the current one', () => {
    const old = cipher(keyA).encrypt('token-1');
    const rotated = cipher(keyB, [keyA]);
    expect(rotated.isCurrent(old)).toBe(false);
    expect(rotated.decrypt(old)).toBe('token-1');
    const resealed = rotated.reseal(old);
    expect(rotated.isCurrent(resealed)).toBe(true);
    expect(cipher(keyB).decrypt(resealed)).toBe('token-1');
  });

  it('reads v1 values with whichever configured key sealed them', () => {
    expect(cipher(keyB, [keyC, keyA]).decrypt(sealV1(keyA, 'legacy'))).toBe('legacy');
    expect(cipher(keyA).isCurrent(sealV1(keyA, 'legacy'))).toBe(false);
  });

  it('refuses values of an unknown key, tampered values and garbage with a reason', () => {
    const foreign = cipher(keyC).encrypt('x');
    expect(() => cipher(keyA, [keyB]).decrypt(foreign)).toThrow(/not configured/);
    expect(() => cipher(keyA).decrypt(sealV1(keyC, 'x'))).toThrow(UnreadableSecretError);
    const sealed = cipher(keyA).encrypt('abc');
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('AA') ? 'BB' : 'AA');
    expect(() => cipher(keyA).decrypt(tampered)).toThrow(/does not open/);
    expect(() => cipher(keyA).decrypt('plaintext')).toThrow(/not a sealed value/);
  });

  it('rejects a malformed previous key at boot, naming the variable', () => {
    expect(() => new AppConfig({ ENCRYPTION_KEYS_PREVIOUS: `${keyA},short` })).toThrow(
      /ENCRYPTION_KEYS_PREVIOUS: must be a comma list of 32-byte base64 keys/,
    );
  });
});
