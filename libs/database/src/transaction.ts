import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig } from '@parley/config';

/** Set while a `TransactionRunner.run` callback (and whatever it awaits) runs. */
const inTransaction = new AsyncLocalStorage<true>();
const guarded = new WeakSet<object>();

interface PooledDriver {
  obtainMasterConnection(): Promise<unknown>;
}

export const SECOND_CONNECTION =
  'A second pooled connection was asked for inside a transaction: read through the manager the transaction hands out';

/**
 * Runs work in one READ COMMITTED transaction (the isolation every connection is opened with, see
 * `dataSourceOptions`); repositories take the manager it hands out.
 *
 * Work that holds a transaction must not take another connection from the pool (a repository's
 * own manager, `tx.manager`, a nested `run`): as many such transactions at once as the pool is
 * large wait for each other until the pool's timeout. Outside production that is an error at the
 * call; in production a warning with the stack.
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);

  constructor(
    private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    const driver = dataSource.driver as unknown as PooledDriver;
    if (guarded.has(driver)) return;
    guarded.add(driver);
    const obtain = driver.obtainMasterConnection.bind(driver);
    driver.obtainMasterConnection = () => {
      if (inTransaction.getStore()) {
        const error = new Error(SECOND_CONNECTION);
        if (!config.isProduction) return Promise.reject(error);
        this.logger.warn(error.stack ?? error.message);
      }
      return obtain();
    };
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => inTransaction.run(true, () => work(manager)));
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }
}
