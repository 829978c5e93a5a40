import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig, type Env } from '@parley/config';

interface RingKey {
  /** Short public id of the key (a hash prefix), stored with every value it seals. */
  id: string;
  key: Buffer;
}

/** ENCRYPTION_KEY first, then ENCRYPTION_KEYS_PREVIOUS in the order given (raw 32-byte keys). */
export function encryptionKeys(env: Pick<Env, 'ENCRYPTION_KEY' | 'ENCRYPTION_KEYS_PREVIOUS'>): Buffer[] {
  const previous = env.ENCRYPTION_KEYS_PREVIOUS.split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  return [env.ENCRYPTION_KEY, ...previous].map((key) => Buffer.from(key, 'base64'));
}

function keyId(key: Buffer): string {
  return createHash('sha256').update('parley:key-id').update(key).digest('hex').slice(0, 8);
}

/** Why a sealed value cannot be opened (the rotation command names the row it came from). */
export class UnreadableSecretError extends Error {}

/**
 * AES-256-GCM for secrets at rest (channel credentials, webhook signing keys) over a key ring:
 * values are sealed as `v2:<key id>:<iv>:<tag>:<data>` with the current key and opened with
 * whichever ring key sealed them. `v1:<iv>:<tag>:<data>` values (before key ids) stay readable.
 */
@Injectable()
export class SecretCipher {
  private readonly ring: RingKey[];

  constructor(config: AppConfig) {
    this.ring = encryptionKeys(config.env).map((key) => ({ id: keyId(key), key }));
  }

  /** The id of the key new values are sealed with. */
  get currentKeyId(): string {
    return this.ring[0].id;
  }

  encrypt(plain: string): string {
    const { id, key } = this.ring[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v2', id, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(
      ':',
    );
  }

  decrypt(sealed: string): string {
    const parts = sealed.split(':');
    if (parts[0] === 'v2' && parts.length === 5) {
      const key = this.ring.find((candidate) => candidate.id === parts[1]);
      if (!key) throw new UnreadableSecretError(`sealed with key ${parts[1]}, which is not configured`);
      return this.open(key.key, parts.slice(2));
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      // v1 carries no key id: try every key (GCM's tag tells the right one).
      for (const { key } of this.ring) {
        try {
          return this.open(key, parts.slice(1));
        } catch {
          // the next key
        }
      }
      throw new UnreadableSecretError('no configured key opens this v1 value');
    }
    throw new UnreadableSecretError('not a sealed value');
  }

  /** True when the value is sealed with the current key in the current format. */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`v2:${this.currentKeyId}:`);
  }

  /** The value sealed again with the current key (throws UnreadableSecretError if no key opens it). */
  reseal(sealed: string): string {
    return this.encrypt(this.decrypt(sealed));
  }

  encryptJson(value: Record<string, unknown>): string {
    return this.encrypt(JSON.stringify(value));
  }

  decryptJson<T extends Record<string, unknown>>(sealed: string | null): T {
    return (sealed ? JSON.parse(this.decrypt(sealed)) : {}) as T;
  }

  private open(key: Buffer, [iv, tag, data]: string[]): string {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new UnreadableSecretError('the value does not open with its key (corrupted or wrong key)');
    }
  }
}
