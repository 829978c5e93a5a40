import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { io, type Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { migrateTestDatabase, resetDatabase, TEST_PASSWORD } from '@parley/testing';
import { createApiApp } from '../../apps/api/src/api.app.js';
import { createWorkerApp } from '../../apps/worker/src/worker.app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- loosely typed JSON for assertions
type Json = any;

export interface Stack {
  api: NestExpressApplication;
  worker: INestApplicationContext | null;
  url: string;
  close(): Promise<void>;
}

/** Boots the real api (HTTP + socket.io on a free loopback port) and, if asked, the real worker. */
export async function bootStack(options: { worker: boolean } = { worker: true }): Promise<Stack> {
  await migrateTestDatabase();
  const api = await createApiApp({ logger: false });
  await api.listen(0, '127.0.0.1');
  await resetDatabase(api.get(DataSource));
  const worker = options.worker ? await createWorkerApp({ logger: false }) : null;
  const url = (await api.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    api,
    worker,
    url,
    async close() {
      await worker?.close();
      await api.close();
    },
  };
}

export async function login(url: string, email: string, password = TEST_PASSWORD): Promise<string> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/** A tiny HTTP client bound to one token, returning status and parsed JSON. */
export function client(url: string, auth: { token?: string; apiKey?: string } = {}) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
        ...(auth.apiKey ? { 'x-api-key': auth.apiKey } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    // Tests assert on the shape; typing every response here would only restate the assertions.
    return { status: response.status, body: json as Json, headers: response.headers };
  };
}

/** An agent socket on `/agent` that records every event it receives. */
export async function connectAgent(url: string, token: string): Promise<AgentClient> {
  const socket = io(`${url}/agent`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const client = new AgentClient(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return client;
}

export class AgentClient {
  readonly events: Array<{ event: string; payload: Json }> = [];

  constructor(readonly socket: Socket) {
    socket.onAny((event: string, payload: unknown) => this.events.push({ event, payload }));
  }

  /** Resolves with the first matching event, already received or still to come. */
  next(event: string, match: (payload: Json) => boolean = () => true, timeoutMs = 10_000): Promise<Json> {
    const seen = this.events.find((e) => e.event === event && match(e.payload));
    if (seen) return Promise.resolve(seen.payload);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off(event, listener);
        reject(
          new Error(
            `no ${event} event within ${timeoutMs} ms; got ${this.events.map((e) => e.event).join(', ')}`,
          ),
        );
      }, timeoutMs);
      const listener = (payload: unknown) => {
        if (!match(payload)) return;
        clearTimeout(timer);
        this.socket.off(event, listener);
        resolve(payload);
      };
      this.socket.on(event, listener);
    });
  }

  emit(event: string, payload: unknown): Promise<Json> {
    return this.socket.timeout(5000).emitWithAck(event, payload);
  }

  close(): void {
    this.socket.disconnect();
  }
}

export { TEST_PASSWORD };
