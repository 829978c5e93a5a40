import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '@parley/config';

/** socket.io over Redis pub/sub: a room broadcast reaches sockets on every api process. */
export class RedisIoAdapter extends IoAdapter {
  private readonly clients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server: Server = super.createIOServer(port, {
      ...options,
      cors: { origin: this.config.corsOrigins.length ? this.config.corsOrigins : false, credentials: true },
      maxHttpBufferSize: 1_000_000,
    } as ServerOptions);
    const pub = new Redis(this.config.env.REDIS_URL);
    const sub = pub.duplicate();
    for (const client of [pub, sub]) client.on('error', () => undefined);
    this.clients.push(pub, sub);
    server.adapter(createAdapter(pub, sub, { key: `${this.config.env.REDIS_PREFIX}:socket.io` }));
    return server;
  }

  private closing: Promise<void> | null = null;

  /** Called once per gateway (namespace) on shutdown; the server and its Redis clients close once. */
  override close(server: Server): Promise<void> {
    this.closing ??= (async () => {
      await super.close(server);
      await Promise.all(this.clients.map((client) => client.quit().catch(() => undefined)));
    })();
    return this.closing;
  }
}
