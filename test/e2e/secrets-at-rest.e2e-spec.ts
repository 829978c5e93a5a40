import { randomBytes } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { SecretCipher } from '@parley/database';
import type { ParleyLogger } from '@parley/observability';
import {
  createWorkspace,
  migrateTestDatabase,
  resetDatabase,
  TWILIO_TEST_ACCOUNT_SID,
} from '@parley/testing';
import { createApiApp } from '../../apps/api/src/api.app.js';
import { client, login } from '../support/stack.js';

/** Every line the app logs, at every level. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (...parts: unknown[]) => this.capture(parts);
  error = (...parts: unknown[]) => this.capture(parts);
  warn = (...parts: unknown[]) => this.capture(parts);
  debug = (...parts: unknown[]) => this.capture(parts);
  verbose = (...parts: unknown[]) => this.capture(parts);
  fatal = (...parts: unknown[]) => this.capture(parts);
  private capture(parts: unknown[]): void {
    this.lines.push(parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' '));
  }
}

const plain = (name: string) => `PLAINTEXT-${name}-${randomBytes(6).toString('hex')}`;

describe('channel secrets never stored, returned or logged in clear', () => {
  let api: NestExpressApplication;
  let url: string;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    await migrateTestDatabase();
    api = await createApiApp({ logger: logger as unknown as ParleyLogger });
    await api.listen(0, '127.0.0.1');
    await resetDatabase(api.get(DataSource));
    url = (await api.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await api?.close();
  });

  it('scans every table, the API responses and the logs for the plaintext of secrets set through the API', async () => {
    const ws = await createWorkspace(api);
    const admin = client(url, { token: await login(url, ws.admin.email) });
    const secrets = {
      authToken: plain('twilio'),
      pageAccessToken: plain('page-token'),
      appSecret: plain('app-secret'),
      smtpPassword: plain('smtp'),
      imapPassword: plain('imap'),
      rotatedToken: plain('twilio-rotated'),
    };
    const responses: string[] = [];
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await admin(method, path, body);
      responses.push(JSON.stringify(response.body));
      return response;
    };
    const sms = await call('POST', '/api/v1/inboxes', {
      name: 'SMS',
      channel: 'sms',
      config: { accountSid: TWILIO_TEST_ACCOUNT_SID, from: '+15005550006' },
      secrets: { authToken: secrets.authToken },
    });
    expect(sms.status).toBe(201);
    const smsId = (sms.body.inbox?.id ?? sms.body.id) as string;
    expect(
      (
        await call('POST', '/api/v1/inboxes', {
          name: 'Messenger',
          channel: 'messenger',
          config: { pageId: '1234567890', appId: '9876543210' },
          secrets: { pageAccessToken: secrets.pageAccessToken, appSecret: secrets.appSecret },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call('POST', '/api/v1/inboxes', {
          name: 'Email',
          channel: 'email',
          config: {
            address: 'support@acme.test',
            smtp: { host: 'smtp.acme.test', port: 587, tlsMode: 'starttls', user: 'support' },
            imap: { host: 'imap.acme.test', port: 993, tls: true, user: 'support' },
          },
          secrets: { smtpPassword: secrets.smtpPassword, imapPassword: secrets.imapPassword },
        })
      ).status,
    ).toBe(201);
    // Generated secrets are shown once, in the create (or rotate) answer, and nowhere after.
    const generated: string[] = [];
    const apiInbox = await admin('POST', '/api/v1/inboxes', { name: 'API', channel: 'api' });
    const webchat = await admin('POST', '/api/v1/inboxes', { name: 'Chat', channel: 'webchat' });
    for (const created of [apiInbox, webchat]) {
      expect(created.status).toBe(201);
      generated.push(...Object.values<string>(created.body.generatedSecrets ?? {}));
    }
    expect(generated).toHaveLength(2);
    const apiId = (apiInbox.body.inbox?.id ?? apiInbox.body.id) as string;
    const rotated = await admin('POST', `/api/v1/inboxes/${apiId}/rotate-webhook-secret`);
    generated.push(rotated.body.webhookSecret as string);
    expect(
      (await call('PATCH', `/api/v1/inboxes/${smsId}`, { secrets: { authToken: secrets.rotatedToken } }))
        .status,
    ).toBe(200);
    // A secret put in the clear config by mistake is refused.
    const misplaced = await call('PATCH', `/api/v1/inboxes/${smsId}`, {
      config: { authToken: plain('misplaced') },
    });
    expect(misplaced.status).toBe(400);
    expect(misplaced.body.message).toBe('config.authToken is a secret: send it in secrets');
    const misplacedNested = await call('PATCH', `/api/v1/inboxes/${smsId}`, {
      config: { smtp: { password: plain('nested') } },
    });
    expect(misplacedNested.status).toBe(400);
    // Reads, and a webhook with a bad signature (code paths that decrypt the token).
    await call('GET', '/api/v1/inboxes');
    await call('GET', `/api/v1/inboxes/${smsId}`);
    const webhook = await fetch(`${url}/webhooks/twilio/${smsId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'forged' },
      body: 'From=%2B15551234567&Body=hi&MessageSid=SM1',
    });
    expect(webhook.status).toBe(403);

    const db = api.get(DataSource);
    const tables = (
      await db.query<Array<{ table_name: string }>>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      )
    ).map((row) => row.table_name);
    expect(tables.length).toBeGreaterThan(20);
    const everything = [...Object.values(secrets), ...generated];
    const found: string[] = [];
    for (const value of everything) {
      for (const table of tables) {
        const [{ count }] = await db.query<Array<{ count: number }>>(
          `SELECT count(*)::int AS count FROM "${table}" t WHERE t::text LIKE '%' || $1 || '%'`,
          [value],
        );
        if (count) found.push(`${value} in ${table}`);
      }
      if (responses.some((body) => body.includes(value))) found.push(`${value} in a response`);
      if (logger.lines.some((line) => line.includes(value))) found.push(`${value} in the logs`);
    }
    expect(found).toEqual([]);
    // …and they are there, sealed with the current key.
    const cipher = api.get(SecretCipher);
    const rows = await db.query<Array<{ secrets: string }>>(
      `SELECT secrets FROM inboxes WHERE workspace_id = $1`,
      [ws.workspaceId],
    );
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(cipher.isCurrent(row.secrets)).toBe(true);
    const opened = rows.map((row) => JSON.stringify(cipher.decryptJson(row.secrets))).join(' ');
    for (const value of [
      secrets.rotatedToken,
      secrets.pageAccessToken,
      secrets.imapPassword,
      ...generated.slice(1),
    ])
      expect(opened).toContain(value);
  });
});
