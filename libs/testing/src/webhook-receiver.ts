import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP server on loopback standing in for an integrator's webhook endpoint. Answers 200 by
 * default; `respondWith` queues other answers (status, body, or a dropped connection).
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly answers: Array<{ status: number; body: string } | 'drop'> = [];
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.requests.push({
          method: request.method ?? '',
          path: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const answer = this.answers.shift() ?? { status: 200, body: '{"ok":true}' };
        if (answer === 'drop') {
          request.socket.destroy();
        } else {
          response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
        }
        this.waiters.filter((w) => this.requests.length >= w.count).forEach((w) => w.resolve());
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/parley`;
  }

  respondWith(...answers: Array<{ status: number; body?: string } | 'drop'>): void {
    this.answers.push(...answers.map((a) => (a === 'drop' ? a : { status: a.status, body: a.body ?? '' })));
  }

  /** Resolves once `count` requests have arrived in total; rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs = 10_000): Promise<ReceivedRequest[]> {
    if (this.requests.length >= count) return Promise.resolve(this.requests);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`expected ${count} webhook requests, got ${this.requests.length}`)),
        timeoutMs,
      );
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(this.requests)) });
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
