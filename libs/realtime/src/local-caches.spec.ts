import { jest } from '@jest/globals';
import { LocalCache } from './local-caches.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/** A bus that is listening unless told otherwise, and records what it was asked to announce. */
function bus() {
  const state = { listening: true, announced: [] as string[] };
  return {
    state,
    listening: () => state.listening,
    announce: (cache: string, key: string) => {
      state.announced.push(`${cache}:${key}`);
      return Promise.resolve();
    },
  };
}

describe('LocalCache', () => {
  afterEach(() => jest.useRealTimers());

  it('reads a key once, serves it from memory until its TTL, and never keeps a miss', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const cache = new LocalCache<string>('rows', { ttlMs: 1000, maxEntries: 10 }, bus());
    const load = jest.fn(() => Promise.resolve('row'));
    expect(await cache.get('a', load)).toBe('row');
    expect(await cache.get('a', load)).toBe('row');
    expect(load).toHaveBeenCalledTimes(1);
    jest.setSystemTime(1_001_001);
    expect(await cache.get('a', load)).toBe('row');
    expect(load).toHaveBeenCalledTimes(2);

    const missing = jest.fn(() => Promise.resolve(null));
    expect(await cache.get('b', missing)).toBeNull();
    expect(await cache.get('b', missing)).toBeNull();
    expect(missing).toHaveBeenCalledTimes(2);
  });

  it('drops an invalidated key here and announces it to the other processes', async () => {
    const events = bus();
    const cache = new LocalCache<string>('rows', { ttlMs: 60_000, maxEntries: 10 }, events);
    await cache.get('a', () => Promise.resolve('old'));
    await cache.invalidate('a');
    expect(events.state.announced).toEqual(['rows:a']);
    expect(await cache.get('a', () => Promise.resolve('new'))).toBe('new');
  });

  it('does not keep a value read before an invalidation that arrived while it was being read', async () => {
    const cache = new LocalCache<string>('rows', { ttlMs: 60_000, maxEntries: 10 }, bus());
    const read = deferred<string>();
    const reading = cache.get('a', () => read.promise);
    cache.drop('a');
    read.resolve('stale');
    expect(await reading).toBe('stale');
    expect(await cache.get('a', () => Promise.resolve('fresh'))).toBe('fresh');
  });

  it('serves nothing from memory while it cannot hear invalidations', async () => {
    const events = bus();
    const cache = new LocalCache<string>('rows', { ttlMs: 60_000, maxEntries: 10 }, events);
    await cache.get('a', () => Promise.resolve('cached'));
    events.state.listening = false;
    expect(await cache.get('a', () => Promise.resolve('read'))).toBe('read');
    expect(cache.size).toBe(1);
  });

  it('keeps at most maxEntries, letting the least recently used go first', async () => {
    const cache = new LocalCache<string>('rows', { ttlMs: 60_000, maxEntries: 2 }, bus());
    const load = jest.fn((key: string) => Promise.resolve(key));
    await cache.get('a', () => load('a'));
    await cache.get('b', () => load('b'));
    await cache.get('a', () => load('a'));
    await cache.get('c', () => load('c'));
    expect(cache.size).toBe(2);
    await cache.get('a', () => load('a'));
    await cache.get('b', () => load('b'));
    expect(load.mock.calls.map(([key]) => key)).toEqual(['a', 'b', 'c', 'b']);
  });
});
