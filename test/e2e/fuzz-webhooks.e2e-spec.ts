import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { signMailgun, signMetaPayload, signTwilioRequest } from '@parley/channels';
import { createWorkspace, TWILIO_TEST_AUTH_TOKEN } from '@parley/testing';
import {
  anyJson,
  changedTables,
  edgeString,
  FUZZ_RUNS,
  FUZZ_SEED,
  FuzzFigures,
  answerProblem,
  malformedJson,
  sendRaw,
  storeFingerprint,
  type RawResponse,
} from '../support/fuzz.js';
import { bootStack, client, login, type AgentClient, type Stack } from '../support/stack.js';
import { addWebchatInbox, connectWidget } from './widget-client.js';

const APP_SECRET = 'meta-app-secret-fuzz';
const SIGNING_KEY = 'mailgun-signing-key-fuzz';

type Signing = 'signed' | 'unsigned' | 'mis-signed';
const signing = fc.constantFrom<Signing[]>('signed', 'signed', 'unsigned', 'mis-signed');

/** A provider request: `invalid` ones must be refused with a 4xx; signed well-formed ones may be taken. */
interface WebhookCase {
  what: string;
  invalid: boolean;
  send: () => Promise<RawResponse>;
}

describe('fuzzing the provider webhooks and the widget socket', () => {
  let stack: Stack;
  let dataSource: DataSource;
  let sms: string;
  let messenger: string;
  let email: string;
  let websiteToken: string;
  const figures = new FuzzFigures('webhooks');
  const publicUrl = process.env.PUBLIC_URL ?? '';

  beforeAll(async () => {
    process.env.WIDGET_MESSAGE_RATE_LIMIT_PER_MINUTE = '100000';
    process.env.WIDGET_SESSION_RATE_LIMIT_PER_MINUTE = '100000';
    stack = await bootStack({ worker: false });
    dataSource = stack.api.get(DataSource);
    const ws = await createWorkspace(stack.api, 'Fuzz hooks');
    const admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    sms = (await ws.addInbox({ channel: 'sms' })).id;
    const page = await admin('POST', '/api/v1/inboxes', {
      name: 'Page',
      channel: 'messenger',
      config: { pageId: '1122334455', appId: '998877' },
      secrets: { pageAccessToken: 'page-token', appSecret: APP_SECRET },
    });
    messenger = page.body.inbox.id;
    email = (await ws.addInbox({ channel: 'email', secrets: { webhookSigningKey: SIGNING_KEY } })).id;
    websiteToken = (await addWebchatInbox(stack, ws)).websiteToken;
  }, 120_000);

  afterAll(async () => {
    figures.write();
    await stack.close();
  });

  /** Form-encoded as Twilio posts it; the signature covers the values the server will decode. */
  const twilio = fc
    .record({
      MessageSid: fc.oneof(fc.constant(''), edgeString, fc.stringMatching(/^SM[0-9a-f]{32}$/)),
      From: fc.oneof(fc.constantFrom('+14155550100', '+1', '', 'whatsapp:+14155550100', '00000'), edgeString),
      To: fc.constantFrom('+15005550006', ''),
      Body: edgeString,
      NumMedia: fc.oneof(fc.constantFrom('0', '1', '-1', '99999999999', 'x'), edgeString),
      extra: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), edgeString, { maxKeys: 2 }),
      signing,
    })
    .map(({ extra, signing: how, ...fields }): WebhookCase => {
      const form = new URLSearchParams({ ...extra, ...fields }).toString();
      const params = Object.fromEntries(new URLSearchParams(form));
      const path = `/webhooks/twilio/${sms}`;
      const signature = signTwilioRequest(TWILIO_TEST_AUTH_TOKEN, `${publicUrl}${path}`, params);
      const headers: Record<string, string> =
        how === 'unsigned' ? {} : { 'x-twilio-signature': how === 'signed' ? signature : `x${signature}` };
      return {
        what: `twilio ${how} ${form.slice(0, 160)}`,
        invalid: how !== 'signed',
        send: () =>
          sendRaw(stack.url, 'POST', path, {
            body: form,
            contentType: 'application/x-www-form-urlencoded',
            headers,
          }),
      };
    });

  /** JSON as Meta posts it, signed over the exact bytes. */
  const meta = fc
    .record({
      body: fc.oneof(
        fc
          .record({
            psid: edgeString,
            mid: edgeString,
            text: edgeString,
            object: fc.constantFrom('page', 'instagram', 'x'),
          })
          .map(({ psid, mid, text, object }) =>
            JSON.stringify({
              object,
              entry: [
                {
                  id: '1122334455',
                  time: Date.now(),
                  messaging: [
                    {
                      sender: { id: psid },
                      recipient: { id: '1122334455' },
                      timestamp: 1,
                      message: { mid, text },
                    },
                  ],
                },
              ],
            }),
          ),
        anyJson.map((value) => JSON.stringify({ object: 'page', entry: value })),
        anyJson.map((value) =>
          JSON.stringify({ object: 'page', entry: [{ id: '1122334455', messaging: [value] }] }),
        ),
        malformedJson,
      ),
      signing,
    })
    .map(({ body, signing: how }): WebhookCase => {
      const signature = signMetaPayload(APP_SECRET, body);
      const headers: Record<string, string> =
        how === 'unsigned'
          ? {}
          : { 'x-hub-signature-256': how === 'signed' ? signature : `${signature.slice(0, -2)}00` };
      return {
        what: `meta ${how} ${body.slice(0, 300)}`,
        invalid: how !== 'signed',
        send: () =>
          sendRaw(stack.url, 'POST', `/webhooks/meta/${messenger}`, {
            body,
            contentType: 'application/json',
            headers,
          }),
      };
    });

  /** Raw MIME in a Mailgun-style multipart form, signed with the inbox's key. */
  const mime = fc
    .record({
      from: fc.oneof(
        fc.constantFrom('Ana <ana@example.com>', '', '<>', 'no-at-sign', '=?utf-8?B?////?= <a@b.c>'),
        edgeString,
      ),
      subject: edgeString,
      body: edgeString,
      headers: fc.constantFrom(
        '',
        'Content-Type: multipart/mixed; boundary=""\r\n',
        'Content-Transfer-Encoding: base64\r\n',
        'Message-ID: <\u0000>\r\n',
      ),
      signing,
    })
    .map(({ from, subject, body, headers, signing: how }): WebhookCase => {
      const raw = `From: ${from}\r\nTo: support@acme.test\r\nSubject: ${subject}\r\n${headers}\r\n${body}\r\n`;
      return {
        what: `email ${how} ${JSON.stringify(raw).slice(0, 200)}`,
        invalid: how !== 'signed',
        send: async () => {
          const timestamp = String(Math.floor(Date.now() / 1000));
          const token = randomBytes(25).toString('hex');
          const form = new FormData();
          form.set('body-mime', new Blob([raw]), 'message.mime');
          form.set('timestamp', timestamp);
          form.set('token', token);
          if (how !== 'unsigned')
            form.set(
              'signature',
              how === 'signed' ? signMailgun(SIGNING_KEY, timestamp, token) : 'f'.repeat(64),
            );
          const response = await fetch(`${stack.url}/webhooks/email/${email}`, {
            method: 'POST',
            body: form,
          });
          const text = await response.text();
          let json: RawResponse['json'] = null;
          try {
            json = JSON.parse(text) as RawResponse['json'];
          } catch {
            // asserted below through hasReason
          }
          return { status: response.status, text, json };
        },
      };
    });

  it(`answers every generated provider request below 500, refuses the invalid ones with a reason and stores nothing for them (seed ${FUZZ_SEED})`, async () => {
    const failures: string[] = [];
    let fingerprint = await storeFingerprint(dataSource);
    for (const [index, [endpoint, cases]] of [
      ['POST /webhooks/twilio/{inboxId}', twilio],
      ['POST /webhooks/meta/{inboxId}', meta],
      ['POST /webhooks/email/{inboxId}', mime],
    ].entries() as IterableIterator<[number, [string, fc.Arbitrary<WebhookCase>]]>) {
      const property = fc.asyncProperty(cases, async (request) => {
        const response = await request.send();
        figures.count(`${endpoint} (${request.what.split(' ')[1]})`, response.status);
        const problem = answerProblem(response, request.invalid);
        const after = await storeFingerprint(dataSource);
        // A verified email token is spent even when its message is refused (replay protection).
        const changed =
          response.status >= 400
            ? changedTables(fingerprint, after).filter((t) => t !== 'email_webhook_tokens')
            : [];
        fingerprint = after;
        if (problem || changed.length)
          throw new Error(
            `${endpoint} ${request.what}: ${problem ?? `rejected (${response.status}) but ${changed.join(', ')} changed`} — got ${response.text.slice(0, 240)}`,
          );
      });
      const details = await fc.check(property, {
        seed: FUZZ_SEED + index,
        numRuns: FUZZ_RUNS * 4,
        endOnFailure: true,
      });
      if (details.failed) {
        const error =
          details.errorInstance instanceof Error
            ? details.errorInstance.message
            : String(details.errorInstance);
        failures.push(
          `[seed ${details.seed}, path ${details.counterexamplePath}] ${error} — ${JSON.stringify(details.counterexample)?.slice(0, 300)}`,
        );
      }
      const health = await sendRaw(stack.url, 'GET', '/health/live');
      if (health.status !== 200) failures.push(`${endpoint}: the api stopped answering /health/live`);
    }
    if (failures.length) throw new Error(`${failures.length} webhooks failed:\n${failures.join('\n\n')}`);
  }, 600_000);

  it('answers junk widget socket events with an acknowledged error, keeping the socket open', async () => {
    let visitor: AgentClient | undefined;
    try {
      visitor = (await connectWidget(stack.url, { websiteToken })).client;
      const socket = visitor;
      const events = ['message.send', 'messages.sync', 'typing', 'read', 'contact.update'];
      const payload = fc.oneof(
        anyJson,
        fc.record({ body: edgeString }),
        fc.record({ body: anyJson, clientId: edgeString }),
        fc.record({ after: edgeString }),
        fc.record({ upTo: edgeString }),
        fc.record({ state: edgeString }),
        fc.record({ name: edgeString, email: edgeString, fields: anyJson }),
        fc.record({ __proto__: anyJson, constructor: anyJson }),
      );
      const failures: string[] = [];
      const details = await fc.check(
        fc.asyncProperty(fc.constantFrom(...events), payload, async (event, body) => {
          const ack = (await socket.emit(event, body)) as { ok?: boolean; error?: { message?: string } };
          figures.count(`widget ${event}`, ack?.ok ? 200 : 400);
          if (!ack || (ack.ok !== true && !(typeof ack.error?.message === 'string' && ack.error.message)))
            throw new Error(
              `${event} ${JSON.stringify(body)?.slice(0, 120)}: acknowledged ${JSON.stringify(ack)}`,
            );
          if (!socket.socket.connected) throw new Error(`${event}: the socket was dropped`);
        }),
        { seed: FUZZ_SEED, numRuns: FUZZ_RUNS * 5, endOnFailure: true },
      );
      if (details.failed)
        failures.push(
          `[seed ${details.seed}, path ${details.counterexamplePath}] ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
        );
      expect(failures).toEqual([]);
      expect((await sendRaw(stack.url, 'GET', '/health/live')).status).toBe(200);
    } finally {
      visitor?.close();
    }
  }, 300_000);
});
