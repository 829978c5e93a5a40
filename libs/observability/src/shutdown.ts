import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';

/** Whether this process has begun shutting down (readiness turns 503 so the proxy stops routing to it). */
export const lifecycle = { draining: false };

interface Closable {
  close(): Promise<void>;
}

interface Drainable {
  /** Resolves when no request is being handled. */
  idle(): Promise<void>;
}

/**
 * Counts requests in flight, so a shutdown can wait for them. Mount `middleware` first; `idle`
 * resolves once the count is back to zero (immediately if it already is).
 */
export class InFlightRequests implements Drainable {
  private count = 0;
  private waiters: Array<() => void> = [];

  get size(): number {
    return this.count;
  }

  middleware() {
    return (
      _request: unknown,
      response: {
        once(event: 'close', listener: () => void): unknown;
        setHeader(name: string, value: string): unknown;
      },
      next: () => void,
    ): void => {
      this.count++;
      // While draining, a keep-alive client is told to open its next request elsewhere.
      if (lifecycle.draining) response.setHeader('Connection', 'close');
      // 'close' fires after 'finish' and also when the client goes away mid-request.
      response.once('close', () => {
        if (--this.count === 0) for (const resolve of this.waiters.splice(0)) resolve();
      });
      next();
    };
  }

  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

const timeout = (ms: number) =>
  new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());

export interface ShutdownOptions {
  app: Closable;
  timeoutMs: number;
  /** The api: its HTTP server, the in-flight counter and a hook that disconnects websockets. */
  http?: { server: Server; requests: Drainable; disconnectSockets(): Promise<void> | void };
  exit?: (code: number) => void;
}

/**
 * SIGTERM/SIGINT handling for api and worker. The api stops accepting connections, tells the
 * proxy it is not ready, disconnects agent sockets (their clients reconnect to another process),
 * waits for in-flight requests, and only then closes the modules (database, Redis, queues). The
 * worker closes its modules, which lets BullMQ workers finish their active jobs. Whatever is still
 * running after `timeoutMs` is abandoned: exit code 1 (BullMQ hands unfinished jobs to another
 * worker as stalled; a request cut off was never acknowledged).
 */
export function installGracefulShutdown(options: ShutdownOptions): void {
  const logger = new Logger('Shutdown');
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let started = false;
  const shutdown = async (signal: string) => {
    if (started) return;
    started = true;
    lifecycle.draining = true;
    logger.log(`${signal} received: draining`);
    // A client closing under a late callback must not turn a clean drain into a crash.
    process.on('unhandledRejection', (reason) =>
      logger.warn(`while shutting down: ${(reason as Error)?.message ?? String(reason)}`),
    );
    const drain = async () => {
      const http = options.http;
      if (http) {
        http.server.close(); // stops accepting; open keep-alive connections are closed when idle
        http.server.closeIdleConnections();
        await http.disconnectSockets();
        await http.requests.idle();
        http.server.closeIdleConnections();
      }
      await options.app.close();
    };
    try {
      const outcome = await Promise.race([
        drain().then(() => 'drained' as const),
        timeout(options.timeoutMs),
      ]);
      if (outcome === 'timeout') {
        logger.error(`still busy after ${options.timeoutMs} ms: exiting anyway`);
        options.http?.server.closeAllConnections();
        return exit(1);
      }
      logger.log('drained: exiting');
      exit(0);
    } catch (error) {
      logger.error(`shutdown failed: ${(error as Error).message}`);
      exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void shutdown(signal));
}
