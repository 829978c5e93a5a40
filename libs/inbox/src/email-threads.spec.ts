import { AppConfig } from '@parley/config';
import type { TransactionRunner } from '@parley/database';
import { EmailThreads } from './email-threads.js';

const oldKey = Buffer.alloc(32, 5).toString('base64');
const newKey = Buffer.alloc(32, 6).toString('base64');
const conversationId = '3f0c7a4e-6f7c-4f0e-9a55-1f1d2b3c4d5e';

// Tokens are pure crypto: no query runs here.
const threads = (env: Record<string, string>) =>
  new EmailThreads({} as TransactionRunner, new AppConfig(env));

describe('email reply tokens across an ENCRYPTION_KEY rotation', () => {
  it('keeps reply addresses signed with a previous key valid; new ones use the current key', () => {
    const before = threads({ ENCRYPTION_KEY: oldKey }).tokenFor(conversationId);
    const rotated = threads({ ENCRYPTION_KEY: newKey, ENCRYPTION_KEYS_PREVIOUS: oldKey });
    expect(rotated.conversationOfToken(before)).toBe(conversationId);
    const after = rotated.tokenFor(conversationId);
    expect(after).not.toBe(before);
    expect(threads({ ENCRYPTION_KEY: newKey }).conversationOfToken(after)).toBe(conversationId);
  });

  it('refuses a token once its key is retired, and forged tokens', () => {
    const before = threads({ ENCRYPTION_KEY: oldKey }).tokenFor(conversationId);
    const retired = threads({ ENCRYPTION_KEY: newKey });
    expect(retired.conversationOfToken(before)).toBeNull();
    expect(retired.conversationOfToken(`${before.slice(0, 33)}000000000000`)).toBeNull();
  });
});
