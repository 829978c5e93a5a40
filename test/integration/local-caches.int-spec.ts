import type { TestingModule } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { LocalCaches, type LocalCache } from '@parley/realtime';
import { eventually } from '@parley/testing';
import { bootDomain } from '../support/integration.js';

const OPTIONS = { ttlMs: 60_000, maxEntries: 100 };

/** Two module instances stand for two processes: each has its own caches and Redis connections. */
describe('local caches across processes, over the real Redis', () => {
  let one: TestingModule;
  let two: TestingModule;
  let cacheOne: LocalCache<string>;
  let cacheTwo: LocalCache<string>;
  let busTwo: LocalCaches;

  beforeAll(async () => {
    one = await bootDomain();
    two = await bootDomain({ reset: false });
    cacheOne = one.get(LocalCaches).cache<string>('int-rows', OPTIONS);
    busTwo = two.get(LocalCaches);
    cacheTwo = busTwo.cache<string>('int-rows', OPTIONS);
    await eventually(async () => Promise.resolve(one.get(LocalCaches).listening() && busTwo.listening()));
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  it('drops a key on the other process once the writer invalidates it', async () => {
    let stored = 'v1';
    const read = () => Promise.resolve(stored);
    expect(await cacheOne.get('k', read)).toBe('v1');
    expect(await cacheTwo.get('k', read)).toBe('v1');
    stored = 'v2';
    // Still cached on both: nothing told them.
    expect(await cacheTwo.get('k', read)).toBe('v1');
    await cacheOne.invalidate('k');
    expect(await cacheOne.get('k', read)).toBe('v2');
    await eventually(async () => (await cacheTwo.get('k', read)) === 'v2', 5_000);
  });

  it('serves nothing while its subscription is down, and starts over empty once it is back', async () => {
    let stored = 'before';
    const read = () => Promise.resolve(stored);
    expect(await cacheTwo.get('outage', read)).toBe('before');
    const subscriber = (busTwo as unknown as { subscriber: Redis }).subscriber;
    // The connection drops (and stays down for now): an invalidation sent meanwhile is never heard.
    subscriber.disconnect(false);
    await eventually(async () => Promise.resolve(!busTwo.listening()), 5_000);
    stored = 'during';
    await cacheOne.invalidate('outage');
    expect(await cacheTwo.get('outage', read)).toBe('during');
    expect(await cacheTwo.get('outage', read)).toBe('during');
    await subscriber.connect();
    await eventually(async () => Promise.resolve(busTwo.listening()), 10_000);
    // The entry cached before the outage is gone, though its invalidation was lost.
    expect(await cacheTwo.get('outage', read)).toBe('during');
    stored = 'after';
    expect(await cacheTwo.get('outage', read)).toBe('during');
  });
});
