import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signTwilioRequest } from '@parley/channels';

export interface FakeTwilioMessage {
  sid: string;
  accountSid: string;
  /** The form exactly as received, repeated fields included, in order. */
  form: Array<[string, string]>;
  fields: Record<string, string | string[]>;
}

type Failure = { status: number; code: number; message: string };

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/**
 * A local stand-in for Twilio's REST API, speaking its wire protocol: Basic auth, form-encoded
 * Messages.json, 201 JSON or `{code, message, more_info, status}` errors, media behind a redirect.
 * It also plays Twilio's side of the webhooks: signed inbound messages and status callbacks.
 */
export class TwilioFake {
  readonly messages: FakeTwilioMessage[] = [];
  private readonly accounts = new Map<string, string>();
  private readonly failures: Failure[] = [];
  private readonly media = new Map<string, { body: Buffer; contentType: string }>();
  private readonly listeners: Array<(message: FakeTwilioMessage) => void> = [];
  private server: Server | null = null;
  private readonly routes: Array<(request: IncomingMessage, response: ServerResponse) => Promise<boolean>> =
    [];
  url = '';

  /** Extra HTTP routes served before the Twilio API (the demo simulator's page). */
  use(route: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>): this {
    this.routes.push(route);
    return this;
  }

  /** Accepts REST calls from this account (Basic auth) and signs its webhooks with the token. */
  addAccount(accountSid: string, authToken: string): this {
    this.accounts.set(accountSid, authToken);
    return this;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((request, response) => {
      void this.handle(request, response).catch((error: Error) => {
        response
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ message: error.message }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, host, resolve));
    this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next Messages.json calls answer with these Twilio errors, in order. */
  failNext(...failures: Failure[]): void {
    this.failures.push(...failures);
  }

  onMessage(listener: (message: FakeTwilioMessage) => void): void {
    this.listeners.push(listener);
  }

  /** Media a webhook's MediaUrlN can point at; served behind Basic auth and a redirect, as Twilio does. */
  addMedia(accountSid: string, body: Buffer, contentType: string): string {
    const id = `ME${hex(16)}`;
    this.media.set(id, { body, contentType });
    return `${this.url}/2010-04-01/Accounts/${accountSid}/Messages/MM${hex(16)}/Media/${id}`;
  }

  /** Posts a signed inbound-message webhook to the app, as Twilio would. */
  async sendInbound(
    target: { appUrl: string; publicUrl: string; inboxId: string },
    params: Record<string, string>,
    options: { signature?: string | null } = {},
  ): Promise<{ status: number; body: string; contentType: string | null }> {
    const accountSid = params.AccountSid ?? [...this.accounts.keys()][0] ?? '';
    const sid = params.MessageSid ?? `SM${hex(16)}`;
    const full = {
      MessageSid: sid,
      SmsMessageSid: sid,
      SmsSid: sid,
      AccountSid: accountSid,
      NumMedia: '0',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
      ...params,
    };
    return this.post(
      accountSid,
      `${target.publicUrl}/webhooks/twilio/${target.inboxId}`,
      target,
      full,
      options.signature,
    );
  }

  /** Posts a signed status callback for a message the app sent, to the StatusCallback it gave us. */
  async sendStatus(
    target: { appUrl: string; publicUrl: string },
    message: FakeTwilioMessage,
    status: string,
    extra: Record<string, string> = {},
  ): Promise<{ status: number; body: string; contentType: string | null }> {
    const callback = String(message.fields.StatusCallback ?? '');
    const params = {
      MessageSid: message.sid,
      SmsSid: message.sid,
      MessageStatus: status,
      SmsStatus: status,
      AccountSid: message.accountSid,
      To: String(message.fields.To ?? ''),
      From: String(message.fields.From ?? ''),
      ApiVersion: '2010-04-01',
      ...extra,
    };
    return this.post(message.accountSid, callback, target, params);
  }

  waitForMessages(count: number, timeoutMs = 10_000): Promise<FakeTwilioMessage[]> {
    if (this.messages.length >= count) return Promise.resolve(this.messages);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`expected ${count} messages at the Twilio fake, got ${this.messages.length}`)),
        timeoutMs,
      );
      this.onMessage(() => {
        if (this.messages.length >= count) {
          clearTimeout(timer);
          resolve(this.messages);
        }
      });
    });
  }

  private async post(
    accountSid: string,
    publicUrl: string,
    target: { appUrl: string; publicUrl: string },
    params: Record<string, string>,
    signature?: string | null,
  ) {
    const token = this.accounts.get(accountSid) ?? '';
    const url = new URL(publicUrl);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'TwilioProxy/1.1',
    };
    const signed = signature === undefined ? signTwilioRequest(token, publicUrl, params) : signature;
    if (signed !== null) headers['x-twilio-signature'] = signed;
    const response = await fetch(`${target.appUrl}${url.pathname}${url.search}`, {
      method: 'POST',
      headers,
      body: new URLSearchParams(params).toString(),
    });
    return {
      status: response.status,
      body: await response.text(),
      contentType: response.headers.get('content-type'),
    };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    for (const route of this.routes) if (await route(request, response)) return;
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const store = /^\/media-store\/(ME[0-9a-f]{32})$/.exec(path);
    if (request.method === 'GET' && store) {
      const file = this.media.get(store[1]);
      if (!file) return void response.writeHead(404).end();
      return void response
        .writeHead(200, { 'content-type': file.contentType, 'content-length': file.body.length })
        .end(file.body);
    }
    const media = /^\/2010-04-01\/Accounts\/(AC\w+)\/Messages\/\w+\/Media\/(ME[0-9a-f]{32})$/.exec(path);
    if (request.method === 'GET' && media) {
      if (!this.authorized(request, media[1])) return this.error(response, 401, 20003, 'Authenticate');
      // Twilio answers media with a redirect to its storage; clients must follow it.
      return void response.writeHead(307, { location: `${this.url}/media-store/${media[2]}` }).end();
    }
    const create = /^\/2010-04-01\/Accounts\/(AC\w+)\/Messages\.json$/.exec(path);
    if (request.method !== 'POST' || !create)
      return this.error(response, 404, 20404, 'The requested resource was not found');
    const accountSid = create[1];
    if (!this.authorized(request, accountSid)) return this.error(response, 401, 20003, 'Authenticate');
    const raw = await new Promise<string>((resolve) => {
      let data = '';
      request.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      request.on('end', () => resolve(data));
    });
    const form = [...new URLSearchParams(raw).entries()];
    const fields: Record<string, string | string[]> = {};
    for (const [key, value] of form) {
      const previous = fields[key];
      fields[key] =
        previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    if (!fields.To) return this.error(response, 400, 21604, "A 'To' phone number is required.");
    if (!fields.Body && !fields.MediaUrl && !fields.ContentSid)
      return this.error(response, 400, 21602, 'Message body is required.');
    const failure = this.failures.shift();
    if (failure) return this.error(response, failure.status, failure.code, failure.message);
    const sid = `SM${hex(16)}`;
    const message: FakeTwilioMessage = { sid, accountSid, form, fields };
    this.messages.push(message);
    this.listeners.forEach((listener) => listener(message));
    response.writeHead(201, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        sid,
        account_sid: accountSid,
        to: fields.To,
        from: fields.From ?? null,
        messaging_service_sid: fields.MessagingServiceSid ?? null,
        body: fields.Body ?? '',
        status: fields.MessagingServiceSid ? 'accepted' : 'queued',
        direction: 'outbound-api',
        num_media: String(Array.isArray(fields.MediaUrl) ? fields.MediaUrl.length : fields.MediaUrl ? 1 : 0),
        num_segments: '1',
        date_created: new Date().toUTCString(),
        error_code: null,
        error_message: null,
        api_version: '2010-04-01',
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      }),
    );
  }

  private authorized(request: IncomingMessage, accountSid: string): boolean {
    const expected = this.accounts.get(accountSid);
    const header = request.headers.authorization ?? '';
    return (
      expected !== undefined &&
      header === `Basic ${Buffer.from(`${accountSid}:${expected}`).toString('base64')}`
    );
  }

  private error(response: ServerResponse, status: number, code: number, message: string): void {
    response
      .writeHead(status, { 'content-type': 'application/json' })
      .end(
        JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }),
      );
  }
}
