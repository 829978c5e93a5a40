import { normalizeIdentity } from './identity.js';
import { InboxError } from './inbox.errors.js';

describe('normalizeIdentity', () => {
  it('puts SMS and WhatsApp forms of one number into the same E.164 value', () => {
    expect(normalizeIdentity('phone', '+1 (415) 555-0134')).toBe('+14155550134');
    expect(normalizeIdentity('phone', 'whatsapp:+14155550134')).toBe('+14155550134');
    expect(normalizeIdentity('phone', '020 7946 0018', 'GB')).toBe('+442079460018');
  });

  it('lower-cases emails', () => {
    expect(normalizeIdentity('email', '  Ana.Souza@Example.COM ')).toBe('ana.souza@example.com');
  });

  it.each([
    ['phone', '12'],
    ['phone', 'call me'],
    ['email', 'not-an-email'],
    ['external', ''],
  ] as const)('rejects %s %p', (kind, raw) => {
    expect(() => normalizeIdentity(kind, raw)).toThrow(InboxError);
  });
});
