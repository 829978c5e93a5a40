/** What a group commit does with the items it took: all of them in one transaction, or one alone. */
export interface GroupCommitOptions<I, R> {
  /** Items taken into one batch at most. 1 turns batching off (every item runs alone). */
  maxBatch: number;
  /** Batches in flight at once (each holds one pooled connection). */
  concurrency: number;
  /** Runs several items in one transaction; resolves with one result per item, in order. */
  runBatch(items: I[]): Promise<R[]>;
  /** Runs one item in its own transaction: a lone item, and each item of a batch that failed. */
  runOne(item: I): Promise<R>;
  /** Told when a batch failed and its items are retried one by one. */
  onBatchFailed?(error: unknown, size: number): void;
}

interface Waiting<I, R> {
  item: I;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items that arrive while earlier ones are being written wait, and are then
 * written together in one transaction — one BEGIN/COMMIT, one multi-row insert of their events
 * and outbox rows, one relay pass — instead of one transaction each. An idle system adds no
 * wait: an item arriving with a free slot runs at once, alone. A batch that fails (one bad item,
 * a deadlock between batches) is rolled back whole and every item is retried in a transaction
 * of its own, so each caller gets its own result or its own error, and one item never fails
 * another. `runBatch` must therefore only have effects inside its transaction.
 */
export class GroupCommit<I, R> {
  private readonly waiting: Array<Waiting<I, R>> = [];
  private inFlight = 0;

  constructor(private readonly options: GroupCommitOptions<I, R>) {
    if (!(options.maxBatch >= 1) || !(options.concurrency >= 1))
      throw new RangeError('maxBatch and concurrency must be at least 1');
  }

  /** Items waiting for a slot (not counting those being written). */
  get backlog(): number {
    return this.waiting.length;
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.concurrency && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async write(batch: Array<Waiting<I, R>>): Promise<void> {
    if (batch.length > 1) {
      const results = await this.options.runBatch(batch.map((entry) => entry.item)).catch((error) => {
        this.options.onBatchFailed?.(error, batch.length);
        return null;
      });
      if (results && results.length !== batch.length) {
        // A bug in runBatch, after its commit: retrying could write twice, so every caller hears it.
        const error = new Error(`runBatch returned ${results.length} results for ${batch.length} items`);
        for (const entry of batch) entry.reject(error);
        return;
      }
      if (results) {
        batch.forEach((entry, index) => entry.resolve(results[index]));
        return;
      }
    }
    // Alone, or retried one by one after the batch rolled back.
    for (const entry of batch) {
      try {
        entry.resolve(await this.options.runOne(entry.item));
      } catch (error) {
        entry.reject(error);
      }
    }
  }
}
