import { signWebhook, verifyWebhook } from './webhook-signature.js';

describe('API channel webhook signature', () => {
  const now = 1_800_000_000_000;
  const timestamp = now / 1000;
  const body = '{"id":"m1","body":"héllo"}';

  it('verifies its own signature', () => {
    const signature = signWebhook('s3cret', timestamp, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhook('s3cret', { signature, timestamp: String(timestamp) }, body, 300, now)).toBe(true);
  });

  it('rejects another secret, a changed body, a stale timestamp and missing headers', () => {
    const signature = signWebhook('s3cret', timestamp, body);
    expect(verifyWebhook('other', { signature, timestamp: String(timestamp) }, body, 300, now)).toBe(false);
    expect(verifyWebhook('s3cret', { signature, timestamp: String(timestamp) }, `${body} `, 300, now)).toBe(
      false,
    );
    expect(
      verifyWebhook('s3cret', { signature, timestamp: String(timestamp) }, body, 300, now + 301_000),
    ).toBe(false);
    expect(
      verifyWebhook('s3cret', { signature: undefined, timestamp: String(timestamp) }, body, 300, now),
    ).toBe(false);
  });
});
