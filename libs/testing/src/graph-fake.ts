import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signMetaPayload } from '@parley/channels';

export interface FakeGraphSend {
  pageId: string;
  body: {
    recipient?: { id?: string };
    messaging_type?: string;
    tag?: string;
    message?: { text?: string; attachment?: unknown };
    sender_action?: string;
  };
  messageId: string | null;
}

type GraphFailure = { status: number; code: number; subcode?: number; message: string };

/**
 * A local stand-in for Meta's Graph API: the Send API (`POST /{version}/{page}/messages`) with
 * access-token checks, messaging-window refusals for chosen recipients and programmable errors,
 * the user-profile API, and Meta's side of the webhooks (signed over the exact bytes sent).
 */
export class GraphFake {
  readonly sends: FakeGraphSend[] = [];
  readonly profiles = new Map<string, Record<string, string>>();
  readonly outsideWindow = new Set<string>();
  private readonly tokens = new Map<string, string>();
  private readonly failures: GraphFailure[] = [];
  private server: Server | null = null;
  url = '';

  addPage(pageId: string, accessToken: string): this {
    this.tokens.set(pageId, accessToken);
    return this;
  }

  failNext(...failures: GraphFailure[]): void {
    this.failures.push(...failures);
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(port, host, resolve));
    this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** POSTs a webhook batch as Meta does. A string body is sent byte for byte (escapes and all). */
  async sendWebhook(
    target: { appUrl: string; inboxId: string; appSecret: string },
    payload: unknown,
    options: { signature?: string | null } = {},
  ): Promise<{ status: number; body: string }> {
    const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const signature =
      options.signature === undefined ? signMetaPayload(target.appSecret, raw) : options.signature;
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    const response = await fetch(`${target.appUrl}/webhooks/meta/${target.inboxId}`, {
      method: 'POST',
      headers,
      body: raw,
    });
    return { status: response.status, body: await response.text() };
  }

  waitForSends(count: number, timeoutMs = 10_000): Promise<FakeGraphSend[]> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.sends.length >= count) return resolve(this.sends);
        if (Date.now() > deadline)
          return reject(new Error(`expected ${count} Send API calls, got ${this.sends.length}`));
        setTimeout(check, 25);
      };
      check();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://graph');
    const token = url.searchParams.get('access_token') ?? '';
    const send = /^\/v\d+\.\d+\/(\d+|me)\/messages$/.exec(url.pathname);
    if (request.method === 'POST' && send) {
      const pageId = send[1];
      if (this.tokens.get(pageId) !== token)
        return this.error(response, {
          status: 400,
          code: 190,
          message: 'Invalid OAuth access token - Cannot parse access token',
        });
      const body = JSON.parse(await readBody(request)) as FakeGraphSend['body'];
      const recipient = body.recipient?.id;
      if (!recipient)
        return this.error(response, {
          status: 400,
          code: 100,
          message: '(#100) The parameter recipient is required',
        });
      if (body.sender_action) {
        this.sends.push({ pageId, body, messageId: null });
        return this.json(response, 200, { recipient_id: recipient });
      }
      if (!['RESPONSE', 'UPDATE', 'MESSAGE_TAG'].includes(body.messaging_type ?? '')) {
        return this.error(response, { status: 400, code: 100, message: '(#100) messaging_type is invalid' });
      }
      if (body.messaging_type === 'MESSAGE_TAG' && !body.tag)
        return this.error(response, { status: 400, code: 100, message: '(#100) tag is required' });
      const failure = this.failures.shift();
      if (failure) return this.error(response, failure);
      if (this.outsideWindow.has(recipient) && body.messaging_type === 'RESPONSE') {
        return this.error(response, {
          status: 400,
          code: 10,
          subcode: 2018278,
          message: '(#10) This message is sent outside of allowed window.',
        });
      }
      const messageId = `m_${randomUUID().replaceAll('-', '')}`;
      this.sends.push({ pageId, body, messageId });
      return this.json(response, 200, { recipient_id: recipient, message_id: messageId });
    }
    const profile = /^\/v\d+\.\d+\/(\d+)$/.exec(url.pathname);
    if (request.method === 'GET' && profile) {
      const found = this.profiles.get(profile[1]);
      if (![...this.tokens.values()].includes(token))
        return this.error(response, { status: 400, code: 190, message: 'Invalid OAuth access token' });
      if (!found) return this.error(response, { status: 400, code: 100, message: 'Unsupported get request' });
      return this.json(response, 200, { id: profile[1], ...found });
    }
    this.error(response, { status: 404, code: 803, message: 'Unknown path' });
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private error(response: ServerResponse, failure: GraphFailure): void {
    this.json(response, failure.status, {
      error: {
        message: failure.message,
        type: 'OAuthException',
        code: failure.code,
        error_subcode: failure.subcode,
        fbtrace_id: 'Afake',
      },
    });
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    request.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
    request.on('end', () => resolve(data || '{}'));
  });
}
