import { canAdvance } from './delivery-status.js';

describe('canAdvance', () => {
  it('moves forward only', () => {
    expect(canAdvance('queued', 'sent')).toBe(true);
    expect(canAdvance('queued', 'sending')).toBe(true);
    expect(canAdvance('sending', 'sent')).toBe(true);
    expect(canAdvance('sent', 'sending')).toBe(false);
    expect(canAdvance('sending', 'undelivered')).toBe(true);
    expect(canAdvance('sent', 'delivered')).toBe(true);
    expect(canAdvance('delivered', 'read')).toBe(true);
    expect(canAdvance('queued', 'read')).toBe(true);
    expect(canAdvance('delivered', 'sent')).toBe(false);
    expect(canAdvance('read', 'delivered')).toBe(false);
  });

  it('treats failure as terminal and never overrides delivery', () => {
    expect(canAdvance('sent', 'failed')).toBe(true);
    expect(canAdvance('queued', 'undelivered')).toBe(true);
    expect(canAdvance('delivered', 'failed')).toBe(false);
    expect(canAdvance('failed', 'sent')).toBe(false);
    expect(canAdvance('failed', 'delivered')).toBe(false);
  });
});
