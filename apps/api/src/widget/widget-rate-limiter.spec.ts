import { MinuteLimiter } from './widget-rate-limiter.js';

describe('MinuteLimiter', () => {
  it('allows the limit per key and minute, then refuses until the window passes', () => {
    const limiter = new MinuteLimiter(2);
    expect([limiter.take('a', 0), limiter.take('a', 10), limiter.take('a', 20)]).toEqual([true, true, false]);
    expect(limiter.take('b', 20)).toBe(true);
    expect(limiter.take('a', 60_000)).toBe(true);
  });
});
