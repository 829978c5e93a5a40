import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { signMailgun, REPLY_SEPARATOR } from '@parley/channels';
import { createWorkspace, DovecotServer, eventually, SmtpSink, type WorkspaceFixture } from '@parley/testing';
import { bootStack, client, login, type Stack } from '../support/stack.js';

const SIGNING_KEY = 'mailgun-signing-key-for-tests';
const FOLDER = 'Support';
const IMAP_USER = 'support';
const MB = 1024 * 1024;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- loosely typed JSON for assertions
type Json = any;

/** A raw RFC 822 message with CRLF line ends. */
function mail(headers: Record<string, string>, body: string): string {
  const lines = Object.entries({
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    ...headers,
  }).map(([name, value]) => `${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}\r\n`;
}

const header = (raw: Buffer, name: string): string | null => {
  const head = raw
    .toString('utf8')
    .split('\r\n\r\n')[0]
    .replace(/\r\n[ \t]+/g, ' ');
  return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? null;
};

describe('email channel (real SMTP sink, real Dovecot IMAP, raw-MIME webhook)', () => {
  let stack: Stack;
  let ws: WorkspaceFixture;
  let agent: ReturnType<typeof client>;
  let http: ReturnType<typeof client>;
  let db: DataSource;
  let sink: SmtpSink;
  let dovecot: DovecotServer;
  let inboxId: string;
  let conversationId: string;
  let replyMessageId: string;
  let replyTo: string;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    dovecot = await DovecotServer.start();
    const setup = await dovecot.client(IMAP_USER);
    await setup.mailboxCreate(FOLDER);
    await setup.logout();
    stack = await bootStack();
    db = stack.api.get(DataSource);
    ws = await createWorkspace(stack.api);
    agent = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    http = client(stack.url);
    const created = await agent('POST', '/api/v1/inboxes', {
      name: 'Support email',
      channel: 'email',
      config: {
        address: 'support@acme.test',
        displayName: 'Acme Support',
        inboundDomain: 'reply.acme.test',
        smtp: { host: '127.0.0.1', port: sink.port, tlsMode: 'none' },
        imap: { host: '127.0.0.1', port: dovecot.port, tls: false, user: IMAP_USER, folder: FOLDER },
      },
      secrets: { imapPassword: 'pass', webhookSigningKey: SIGNING_KEY },
    });
    expect(created.status).toBe(201);
    expect(created.body.inbox.secretsSet).toEqual(['imapPassword', 'webhookSigningKey']);
    inboxId = created.body.inbox.id;
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await sink?.close();
    await dovecot?.stop();
  });

  const messages = async (id: string): Promise<Json[]> =>
    (await agent('GET', `/api/v1/conversations/${id}/messages`)).body.items;

  const byExternalId = async (externalId: string) =>
    db.query(`SELECT id, conversation_id, body, sender_type, metadata FROM messages WHERE external_id = $1`, [
      externalId,
    ]);

  /** Posts raw MIME to the webhook as Mailgun does (multipart/form-data), signed unless told otherwise. */
  const postMime = async (
    raw: string | Buffer,
    overrides: Partial<Record<'timestamp' | 'token' | 'signature', string>> = {},
    target = inboxId,
  ) => {
    const timestamp = overrides.timestamp ?? String(Math.floor(Date.now() / 1000));
    const token = overrides.token ?? randomBytes(25).toString('hex');
    const form = new FormData();
    form.set('body-mime', new Blob([raw]), 'message.mime');
    form.set('timestamp', timestamp);
    form.set('token', token);
    form.set('signature', overrides.signature ?? signMailgun(SIGNING_KEY, timestamp, token));
    const response = await fetch(`${stack.url}/webhooks/email/${target}`, { method: 'POST', body: form });
    return { status: response.status, body: (await response.json()) as Json, token, timestamp };
  };

  it('imports a customer email over IMAP into the customer’s thread', async () => {
    await dovecot.append(
      IMAP_USER,
      mail(
        {
          From: 'Ana Souza <Ana.Souza@example.com>',
          To: 'Acme Support <support@acme.test>',
          Subject: 'Order 42 is late',
          'Message-ID': '<order42-1@mail.example.com>',
          Date: new Date().toUTCString(),
        },
        'Hello,\n\nwhere is my order 42?\n\nAna',
      ),
      FOLDER,
    );
    const [row] = await eventually(async () => {
      const rows = await byExternalId('<order42-1@mail.example.com>');
      return rows.length ? rows : undefined;
    }, 15_000);
    conversationId = row.conversation_id;
    const detail = (await agent('GET', `/api/v1/conversations/${conversationId}`)).body;
    expect(detail.conversation).toMatchObject({
      subject: 'Order 42 is late',
      lastChannel: 'email',
      status: 'open',
    });
    expect(detail.contact.name).toBe('Ana Souza');
    expect(detail.replyOptions.find((o: Json) => o.inboxId === inboxId)).toMatchObject({ available: true });
    const [message] = await messages(conversationId);
    expect(message).toMatchObject({ channel: 'email', direction: 'in', senderType: 'contact' });
    expect(message.body).toBe('Hello,\n\nwhere is my order 42?\n\nAna');
    // The same customer on another channel (the API channel knows her email) joins the same thread.
    const api = await ws.addInbox({ channel: 'api' });
    const chat = await agent('POST', `/api/v1/inboxes/${api.id}/inbound`, {
      externalId: 'chat-1',
      contact: { identifier: 'cust-ana', email: 'ana.souza@example.com' },
      body: 'Also asked in the app',
    });
    expect(chat.status).toBe(201);
    expect(chat.body.conversationId).toBe(conversationId);
    // The poller's place and health are visible on the inbox.
    const inbox = (await agent('GET', `/api/v1/inboxes/${inboxId}`)).body;
    expect(inbox.health).toEqual({ status: 'ok' });
    expect(inbox.mailbox).toMatchObject({ folder: FOLDER, lastUid: 1, lastError: null, failures: 0 });
    expect(inbox.mailbox.uidValidity).toMatch(/^\d+$/);
  }, 30_000);

  it('sends an agent reply as a threaded email reply with the right headers', async () => {
    const reply = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      body: 'It ships today.\n\nAcme',
      inboxId,
    });
    expect(reply.status).toBe(201);
    replyMessageId = reply.body.id;
    const sent = await sink.nth(1);
    const sentMessageId = `<${replyMessageId}@reply.acme.test>`;
    expect(header(sent.raw, 'Message-ID')).toBe(sentMessageId);
    expect(header(sent.raw, 'In-Reply-To')).toBe('<order42-1@mail.example.com>');
    expect(header(sent.raw, 'References')).toBe('<order42-1@mail.example.com>');
    expect(header(sent.raw, 'Subject')).toBe('Re: Order 42 is late');
    expect(header(sent.raw, 'From')).toBe('Acme Support <support@acme.test>');
    expect(header(sent.raw, 'To')).toBe('ana.souza@example.com');
    expect(header(sent.raw, 'Auto-Submitted')).toBeNull();
    replyTo = header(sent.raw, 'Reply-To') ?? '';
    expect(replyTo).toMatch(/^Acme Support <reply\+[0-9a-f]{32}-[0-9a-f]{12}@reply\.acme\.test>$/);
    expect(sent.parsed.text).toContain(REPLY_SEPARATOR);
    expect(sent.parsed.text).toContain('It ships today.');
    expect(sent.parsed.html).toContain('<p>It ships today.</p>');
    expect(sent.envelope).toEqual({ from: 'support@acme.test', to: ['ana.souza@example.com'] });
    const stored = await eventually(async () => {
      const items = await messages(conversationId);
      const message = items.find((m: Json) => m.id === replyMessageId);
      return message?.status === 'sent' ? message : undefined;
    });
    expect(stored.externalId).toBe(sentMessageId);
  }, 30_000);

  it('threads the customer’s answer back by reply token and shows only the new text', async () => {
    const token = /reply\+([^@]+)@/.exec(replyTo)?.[1];
    await dovecot.append(
      IMAP_USER,
      mail(
        {
          From: 'Ana Souza <ana.souza@example.com>',
          To: `reply+${token}@reply.acme.test`,
          Subject: 'Re: Re: Order 42 is late',
          'Message-ID': '<order42-2@mail.example.com>',
          'In-Reply-To': `<${replyMessageId}@reply.acme.test>`,
          References: `<order42-1@mail.example.com> <${replyMessageId}@reply.acme.test>`,
        },
        [
          'Great, thanks!',
          '',
          'On Tue, 3 Mar 2026 at 10:00, Acme Support <reply@reply.acme.test> wrote:',
          `> ${REPLY_SEPARATOR}`,
          '>',
          '> It ships today.',
        ].join('\n'),
      ),
      FOLDER,
    );
    const [row] = await eventually(async () => {
      const rows = await byExternalId('<order42-2@mail.example.com>');
      return rows.length ? rows : undefined;
    }, 15_000);
    expect(row.conversation_id).toBe(conversationId);
    expect(row.body).toBe('Great, thanks!');
    expect(row.metadata.email.threadedBy).toBe('reply_token');
    const original = await agent('GET', `/api/v1/messages/${row.id}/email`);
    expect(original.status).toBe(200);
    expect(original.body.visibleText).toBe('Great, thanks!');
    expect(original.body.text).toContain('> It ships today.');
    expect(original.body.headers.inReplyTo).toBe(`<${replyMessageId}@reply.acme.test>`);
    const raw = await fetch(`${stack.url}/api/v1/messages/${row.id}/raw`, {
      headers: { authorization: `Bearer ${await login(stack.url, ws.admin.email)}` },
    });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toContain('message/rfc822');
    expect(await raw.text()).toContain('Message-ID: <order42-2@mail.example.com>');
    // Another workspace cannot read it.
    const other = await createWorkspace(stack.api, 'Other');
    const stranger = client(stack.url, { token: await login(stack.url, other.admin.email) });
    expect((await stranger('GET', `/api/v1/messages/${row.id}/raw`)).status).toBe(404);
    expect((await stranger('GET', `/api/v1/messages/${row.id}/email`)).status).toBe(404);
  }, 30_000);

  it('pins a reply from a new address to the conversation’s customer (reply token)', async () => {
    const token = /reply\+([^@]+)@/.exec(replyTo)?.[1];
    const posted = await postMime(
      mail(
        {
          From: 'Ana at work <ana@corp.example>',
          To: `reply+${token}@reply.acme.test`,
          Subject: 'Re: Order 42 is late',
          'Message-ID': '<order42-work@corp.example>',
        },
        'Writing from my work address: it arrived.',
      ),
    );
    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({ outcome: 'joined', conversationId });
    const contact = (await agent('GET', `/api/v1/conversations/${conversationId}`)).body.contact;
    const profile = (await agent('GET', `/api/v1/contacts/${contact.id}`)).body;
    expect(profile.identities.map((i: Json) => i.value)).toEqual(
      expect.arrayContaining(['ana.souza@example.com', 'ana@corp.example']),
    );
  });

  it('a bot reply is marked Auto-Submitted: auto-generated', async () => {
    const key = await ws.addApiKey();
    const bot = client(stack.url, { apiKey: key });
    expect(
      (await bot('POST', `/api/v1/conversations/${conversationId}/messages`, { body: 'Automatic note' }))
        .status,
    ).toBe(201);
    const sent = await sink.nth(2);
    expect(header(sent.raw, 'Auto-Submitted')).toBe('auto-generated');
    expect(header(sent.raw, 'X-Auto-Response-Suppress')).toBe('All');
    // It answers the customer's latest mail.
    expect(header(sent.raw, 'In-Reply-To')).toBe('<order42-work@corp.example>');
  }, 20_000);

  it('deduplicates the same mail delivered twice (IMAP and webhook, and a webhook retry)', async () => {
    const raw = mail(
      {
        From: 'ana.souza@example.com',
        To: 'support@acme.test',
        Subject: 'One more thing',
        'Message-ID': '<dup-1@mail.example.com>',
      },
      'Can you gift-wrap it?',
    );
    const first = await postMime(raw);
    expect(first.body.outcome).toBe('joined');
    const again = await postMime(raw);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'duplicate', messageId: first.body.messageId });
    await dovecot.append(IMAP_USER, raw, FOLDER);
    await eventually(async () => {
      const inbox = (await agent('GET', `/api/v1/inboxes/${inboxId}`)).body;
      return inbox.mailbox.lastUid >= 3;
    }, 15_000);
    expect(await byExternalId('<dup-1@mail.example.com>')).toHaveLength(1);
    // Without a Message-ID, a hash of the headers and body is the key.
    const anonymous = mail(
      { From: 'ana.souza@example.com', To: 'support@acme.test', Subject: 'no id' },
      'hash me',
    );
    const a = await postMime(anonymous);
    const b = await postMime(anonymous);
    expect(a.body.outcome).toBe('joined');
    expect(b.body).toMatchObject({ outcome: 'duplicate', messageId: a.body.messageId });
  }, 30_000);

  it('stores auto-replies and bounces without reopening, and a bounce fails the message it returns', async () => {
    expect((await agent('POST', `/api/v1/conversations/${conversationId}/resolve`)).status).toBe(200);
    const before = (await agent('GET', `/api/v1/conversations/${conversationId}`)).body.conversation;
    const sentBefore = sink.messages.length;
    const outOfOffice = await postMime(
      mail(
        {
          From: 'Ana Souza <ana.souza@example.com>',
          To: 'support@acme.test',
          Subject: 'Out of office: Re: Order 42 is late',
          'Message-ID': '<ooo-1@mail.example.com>',
          'In-Reply-To': `<${replyMessageId}@reply.acme.test>`,
          'Auto-Submitted': 'auto-replied',
        },
        'I am away until Monday.',
      ),
    );
    expect(outOfOffice.body).toMatchObject({
      outcome: 'automatic',
      conversationId,
      automatic: { kind: 'auto-reply', reason: 'Auto-Submitted: auto-replied' },
    });
    const bounce = await postMime(
      mail(
        {
          From: 'Mail Delivery System <MAILER-DAEMON@mx.example.com>',
          To: 'support@acme.test',
          Subject: 'Undelivered Mail Returned to Sender',
          'Message-ID': '<bounce-1@mx.example.com>',
          'Return-Path': '<>',
          'Content-Type': 'multipart/report; report-type=delivery-status; boundary="BB"',
        },
        [
          '--BB',
          'Content-Type: text/plain',
          '',
          'Your message could not be delivered.',
          '--BB',
          'Content-Type: message/delivery-status',
          '',
          'Reporting-MTA: dns; mx.example.com',
          '',
          'Final-Recipient: rfc822; ana.souza@example.com',
          'Action: failed',
          'Status: 5.1.1',
          'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
          '',
          '--BB',
          'Content-Type: text/rfc822-headers',
          '',
          'From: Acme Support <support@acme.test>',
          `Message-ID: <${replyMessageId}@reply.acme.test>`,
          '--BB--',
        ].join('\n'),
      ),
    );
    expect(bounce.body).toMatchObject({
      outcome: 'automatic',
      conversationId,
      automatic: { kind: 'bounce' },
    });
    const after = (await agent('GET', `/api/v1/conversations/${conversationId}`)).body.conversation;
    expect(after).toMatchObject({ status: 'resolved', reopenCount: before.reopenCount, waitingSince: null });
    const items = await messages(conversationId);
    const auto = items.filter((m: Json) =>
      ['<ooo-1@mail.example.com>', '<bounce-1@mx.example.com>'].includes(m.externalId),
    );
    expect(auto.map((m: Json) => m.senderType)).toEqual(['system', 'system']);
    const [ooo] = await byExternalId('<ooo-1@mail.example.com>');
    expect(ooo.metadata).toMatchObject({ auto: 'auto-reply' });
    const failed = items.find((m: Json) => m.id === replyMessageId);
    expect(failed.status).toBe('failed');
    expect(failed.error.code).toBe('bounced');
    expect(failed.error.message).toContain('5.1.1');
    const events: Array<{ type: string }> = await db.query(
      `SELECT type FROM conversation_events WHERE conversation_id = $1 AND occurred_at > $2`,
      [conversationId, before.resolvedAt],
    );
    expect(events.map((e) => e.type)).not.toContain('customer_message');
    expect(events.map((e) => e.type)).not.toContain('reopened');
    // Nothing was sent back to either of them.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sink.messages.length).toBe(sentBefore);
  }, 30_000);

  it('follows a UIDVALIDITY change: rescans, deduplicates by Message-ID, imports what is new', async () => {
    const before = (await agent('GET', `/api/v1/inboxes/${inboxId}`)).body.mailbox;
    await dovecot.recreate(IMAP_USER, FOLDER);
    // The old mail comes back under new UIDs, beside a new one.
    await dovecot.append(
      IMAP_USER,
      mail(
        {
          From: 'Ana <ana.souza@example.com>',
          To: 'support@acme.test',
          Subject: 'Order 42 is late',
          'Message-ID': '<order42-1@mail.example.com>',
        },
        'Hello,\n\nwhere is my order 42?\n\nAna',
      ),
      FOLDER,
    );
    await dovecot.append(
      IMAP_USER,
      mail(
        {
          From: 'Bo <bo@example.com>',
          To: 'support@acme.test',
          Subject: 'New question',
          'Message-ID': '<bo-1@example.com>',
        },
        'Do you ship to Norway?',
      ),
      FOLDER,
    );
    await eventually(
      async () => (await byExternalId('<bo-1@example.com>')).length === 1 || undefined,
      20_000,
    );
    const after = (await agent('GET', `/api/v1/inboxes/${inboxId}`)).body.mailbox;
    expect(after.uidValidity).not.toBe(before.uidValidity);
    expect(after.lastUid).toBe(2);
    expect(await byExternalId('<order42-1@mail.example.com>')).toHaveLength(1);
  }, 40_000);

  it('refuses a 25 MB attachment cleanly, by webhook (413) and over IMAP (skipped, noted)', async () => {
    const big = mail(
      {
        From: 'ana.souza@example.com',
        To: 'support@acme.test',
        Subject: 'huge',
        'Message-ID': '<huge-1@mail.example.com>',
        'Content-Type': 'multipart/mixed; boundary="XX"',
      },
      [
        '--XX',
        'Content-Type: text/plain',
        '',
        'See attached.',
        '--XX',
        'Content-Type: application/octet-stream; name="video.bin"',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename="video.bin"',
        '',
        (
          randomBytes(25 * MB)
            .toString('base64')
            .match(/.{1,76}/g) ?? []
        ).join('\n'),
        '--XX--',
      ].join('\n'),
    );
    const posted = await postMime(big);
    expect(posted.status).toBe(413);
    expect(posted.body.message).toMatch(/over the 26214400-byte limit/);
    await dovecot.append(IMAP_USER, big, FOLDER);
    await dovecot.append(
      IMAP_USER,
      mail(
        {
          From: 'bo@example.com',
          To: 'support@acme.test',
          Subject: 'small',
          'Message-ID': '<after-huge@example.com>',
        },
        'hi',
      ),
      FOLDER,
    );
    await eventually(
      async () => (await byExternalId('<after-huge@example.com>')).length === 1 || undefined,
      30_000,
    );
    expect(await byExternalId('<huge-1@mail.example.com>')).toHaveLength(0);
    // The poller records how far it got just after importing the batch.
    await eventually(
      async () => (await agent('GET', `/api/v1/inboxes/${inboxId}`)).body.mailbox.lastUid === 4 || undefined,
    );
    const [journal] = await db.query(
      `SELECT error FROM inbound_events WHERE inbox_id = $1 AND external_id LIKE 'imap:%'`,
      [inboxId],
    );
    expect(journal.error).toMatch(/over the 26214400-byte limit/);
  }, 90_000);

  it('checks the webhook: signature, stale timestamp, replayed token, fields, inbox', async () => {
    const raw = mail(
      { From: 'x@example.com', To: 'support@acme.test', 'Message-ID': '<sig@example.com>' },
      'hi',
    );
    const bad = await postMime(raw, { signature: 'f'.repeat(64) });
    expect(bad).toMatchObject({ status: 403, body: { code: 'invalid_signature' } });
    const stale = String(Math.floor(Date.now() / 1000) - 3600);
    expect((await postMime(raw, { timestamp: stale })).status).toBe(403);
    const ok = await postMime(raw);
    expect(ok.status).toBe(200);
    const replay = await postMime(raw, { token: ok.token, timestamp: ok.timestamp });
    expect(replay.status).toBe(403);
    expect(replay.body.message).toMatch(/used before/);
    const form = new FormData();
    form.set('timestamp', String(Math.floor(Date.now() / 1000)));
    const missing = await fetch(`${stack.url}/webhooks/email/${inboxId}`, { method: 'POST', body: form });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as Json).message).toMatch(/token, signature/);
    const json = await http('POST', `/webhooks/email/${inboxId}`, { 'body-mime': 'x' });
    expect(json.status).toBe(415);
    const sms = (await ws.addInbox({ channel: 'sms' })).id;
    expect((await postMime(raw, {}, sms)).status).toBe(404);
    expect(await byExternalId('<sig@example.com>')).toHaveLength(1);
  });
});
