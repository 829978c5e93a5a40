import { jest } from '@jest/globals';
import { GroupCommit } from './group-commit.js';

/** A deferred promise the test settles by hand, standing in for a transaction in flight. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('runs an item alone when a slot is free, and batches what arrives meanwhile', async () => {
    const gate = deferred<void>();
    const batches: number[][] = [];
    const lone: number[] = [];
    const commit = new GroupCommit<number, string>({
      maxBatch: 3,
      concurrency: 1,
      runOne: async (item) => {
        lone.push(item);
        await gate.promise;
        return `one ${item}`;
      },
      runBatch: (items) => {
        batches.push(items);
        return Promise.resolve(items.map((item) => `batch ${item}`));
      },
    });
    const results = Promise.all([1, 2, 3, 4, 5, 6].map((item) => commit.submit(item)));
    await tick();
    expect(lone).toEqual([1]);
    expect(commit.backlog).toBe(5);
    gate.resolve();
    expect(await results).toEqual(['one 1', 'batch 2', 'batch 3', 'batch 4', 'batch 5', 'batch 6']);
    expect(batches).toEqual([
      [2, 3, 4],
      [5, 6],
    ]);
  });

  it('keeps at most `concurrency` writes in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const commit = new GroupCommit<number, number>({
      maxBatch: 2,
      concurrency: 2,
      runOne: (item) => Promise.resolve(item),
      runBatch: async (items) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await tick();
        inFlight -= 1;
        return items;
      },
    });
    const items = Array.from({ length: 20 }, (_, index) => index);
    expect(await Promise.all(items.map((item) => commit.submit(item)))).toEqual(items);
    expect(most).toBe(2);
  });

  it('retries every item of a failed batch alone: each caller gets its own result or error', async () => {
    const gate = deferred<void>();
    const failures: Array<[string, number]> = [];
    const commit = new GroupCommit<number, number>({
      maxBatch: 10,
      concurrency: 1,
      runOne: async (item) => {
        if (item === 0) await gate.promise;
        if (item === 3) throw new Error(`item ${item} is bad`);
        return item * 10;
      },
      runBatch: () => Promise.reject(new Error('deadlock detected')),
      onBatchFailed: (error, size) => failures.push([(error as Error).message, size]),
    });
    const first = commit.submit(0);
    const rest = [1, 2, 3, 4].map((item) => commit.submit(item).catch((error: Error) => error.message));
    gate.resolve();
    expect(await first).toBe(0);
    expect(await Promise.all(rest)).toEqual([10, 20, 'item 3 is bad', 40]);
    expect(failures).toEqual([['deadlock detected', 4]]);
  });

  it('rejects every caller when a batch answers with the wrong number of results', async () => {
    const gate = deferred<void>();
    const commit = new GroupCommit<number, number>({
      maxBatch: 10,
      concurrency: 1,
      runOne: async (item) => {
        await gate.promise;
        return item;
      },
      runBatch: (items) => Promise.resolve(items.slice(1)),
    });
    const first = commit.submit(0);
    const rest = [1, 2].map((item) => commit.submit(item).catch((error: Error) => error.message));
    gate.resolve();
    await first;
    expect(await Promise.all(rest)).toEqual([
      'runBatch returned 1 results for 2 items',
      'runBatch returned 1 results for 2 items',
    ]);
  });

  it('with maxBatch 1 never batches', async () => {
    const runBatch = jest.fn((items: number[]) => Promise.resolve(items));
    const commit = new GroupCommit<number, number>({
      maxBatch: 1,
      concurrency: 1,
      runOne: async (item) => {
        await tick();
        return item;
      },
      runBatch,
    });
    expect(await Promise.all([1, 2, 3].map((item) => commit.submit(item)))).toEqual([1, 2, 3]);
    expect(runBatch).not.toHaveBeenCalled();
  });

  it('refuses a batch size or concurrency below 1', () => {
    const options = { runOne: () => Promise.resolve(0), runBatch: () => Promise.resolve([]) };
    expect(() => new GroupCommit({ ...options, maxBatch: 0, concurrency: 1 })).toThrow(RangeError);
    expect(() => new GroupCommit({ ...options, maxBatch: 1, concurrency: 0 })).toThrow(RangeError);
  });
});
