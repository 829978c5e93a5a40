import { randomBytes } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { signMailgun, signMetaPayload, signTwilioRequest } from '@parley/channels';
import {
  createWorkspace,
  eventually,
  GraphFake,
  TWILIO_TEST_ACCOUNT_SID,
  TWILIO_TEST_AUTH_TOKEN,
  XSS_CANARY,
  XSS_CORPUS,
  XSS_EMAIL_HTML,
  XSS_INJECTED_SELECTOR,
  XSS_NAME,
  type WorkspaceFixture,
} from '@parley/testing';
import { bootStack, client, login, type Stack } from '../support/stack.js';
import { buildWidgetBundle, openBrowser, signIn } from '../support/web.js';

const PAGE_ID = '1000000000077';
const APP_ID = '424242424277';
const APP_SECRET = 'xss-meta-app-secret';
const SIGNING_KEY = 'xss-mailgun-signing-key';
const PSID = '2000000000077';
const CORPUS_TEXT = XSS_CORPUS.join('\n');

/** A multipart email: the corpus as text, hostile HTML, a hostile display name, subject and attachment name. */
function hostileEmail(): string {
  const boundary = `b-${randomBytes(6).toString('hex')}`;
  const alt = `a-${randomBytes(6).toString('hex')}`;
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return [
    `From: "${XSS_NAME.replace(/"/g, '\\"')}" <mallory@example.com>`,
    'To: support@acme.test',
    `Subject: =?utf-8?B?${b64(XSS_NAME)}?=`,
    `Message-ID: <xss-${randomBytes(6).toString('hex')}@example.com>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    `Content-Type: multipart/alternative; boundary="${alt}"`,
    '',
    `--${alt}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(CORPUS_TEXT),
    `--${alt}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(XSS_EMAIL_HTML),
    `--${alt}--`,
    `--${boundary}`,
    `Content-Type: application/pdf; name="=?utf-8?B?${b64(`${XSS_NAME}.pdf`)}?="`,
    `Content-Disposition: attachment; filename="=?utf-8?B?${b64(`${XSS_NAME}.pdf`)}?="`,
    'Content-Transfer-Encoding: base64',
    '',
    b64('%PDF-1.4 not really'),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** What a rendered area must show: no injected element, the canary unset, no dialog. */
async function assertInert(page: Page, area: Locator, dialogs: string[]): Promise<void> {
  expect(await area.locator(XSS_INJECTED_SELECTOR).count()).toBe(0);
  expect(
    await page.evaluate((name) => (globalThis as Record<string, unknown>)[name], XSS_CANARY),
  ).toBeUndefined();
  expect(dialogs).toEqual([]);
}

describe('XSS corpus through every channel renders inert (agent web app and widget, real Chromium)', () => {
  const graph = new GraphFake().addPage(PAGE_ID, 'xss-page-token');
  let stack: Stack;
  let ws: WorkspaceFixture;
  let browser: Browser;
  let db: DataSource;
  const conversations: Array<{ channel: string; id: string }> = [];
  let websiteToken: string;
  let agentToken: string;

  const conversationOf = (inboxId: string) =>
    eventually(async () => {
      const rows = await db.query<Array<{ conversation_id: string }>>(
        `SELECT conversation_id FROM messages WHERE inbox_id = $1 AND direction = 'in' LIMIT 1`,
        [inboxId],
      );
      if (!rows[0]) throw new Error(`no message in inbox ${inboxId} yet`);
      return rows[0].conversation_id;
    });

  beforeAll(async () => {
    buildWidgetBundle({ ifMissing: true });
    graph.profiles.set(PSID, { first_name: XSS_NAME, last_name: '<b>bold</b>' });
    process.env.META_GRAPH_BASE_URL = await graph.start();
    stack = await bootStack();
    db = stack.api.get(DataSource);
    ws = await createWorkspace(stack.api);
    const agent = await ws.addMember('agent');
    agentToken = await login(stack.url, agent.email);
    const publicUrl = process.env.PUBLIC_URL ?? '';

    // API channel: body and contact name.
    const api = await ws.addInbox({ channel: 'api' });
    const integration = client(stack.url, { apiKey: await ws.addApiKey() });
    const posted = await integration('POST', `/api/v1/inboxes/${api.id}/inbound`, {
      externalId: 'xss-1',
      contact: { identifier: 'xss-api', name: XSS_NAME },
      body: CORPUS_TEXT,
    });
    expect(posted.status).toBe(201);
    conversations.push({ channel: 'api', id: posted.body.conversationId as string });

    // Twilio SMS form webhook.
    const sms = await ws.addInbox({ channel: 'sms' });
    const params = {
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      AccountSid: TWILIO_TEST_ACCOUNT_SID,
      From: '+14155550177',
      To: '+15005550006',
      Body: CORPUS_TEXT,
      NumMedia: '0',
    };
    const twilio = await fetch(`${stack.url}/webhooks/twilio/${sms.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilioRequest(
          TWILIO_TEST_AUTH_TOKEN,
          `${publicUrl}/webhooks/twilio/${sms.id}`,
          params,
        ),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(twilio.status).toBe(200);
    conversations.push({ channel: 'sms', id: await conversationOf(sms.id) });

    // Meta (Messenger) webhook; the profile name comes from the Graph fake.
    const messenger = await ws.addInbox({
      channel: 'messenger',
      config: { pageId: PAGE_ID, appId: APP_ID },
      secrets: { pageAccessToken: 'xss-page-token', appSecret: APP_SECRET },
    });
    const raw = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: PAGE_ID,
          time: Date.now(),
          messaging: [
            {
              sender: { id: PSID },
              recipient: { id: PAGE_ID },
              timestamp: Date.now(),
              message: { mid: 'm_xss_1', text: CORPUS_TEXT },
            },
          ],
        },
      ],
    });
    const meta = await fetch(`${stack.url}/webhooks/meta/${messenger.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signMetaPayload(APP_SECRET, raw),
      },
      body: raw,
    });
    expect(meta.status).toBe(200);
    conversations.push({ channel: 'messenger', id: await conversationOf(messenger.id) });

    // Email through the raw-MIME webhook: HTML body, display name, subject, attachment name.
    const email = await ws.addInbox({
      channel: 'email',
      config: { address: 'support@acme.test' },
      secrets: { webhookSigningKey: SIGNING_KEY },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const token = randomBytes(25).toString('hex');
    const form = new FormData();
    form.set('body-mime', new Blob([hostileEmail()]), 'message.mime');
    form.set('timestamp', timestamp);
    form.set('token', token);
    form.set('signature', signMailgun(SIGNING_KEY, timestamp, token));
    const mime = await fetch(`${stack.url}/webhooks/email/${email.id}`, { method: 'POST', body: form });
    expect(mime.status).toBe(200);
    conversations.push({ channel: 'email', id: await conversationOf(email.id) });

    const webchat = await ws.addInbox({
      channel: 'webchat',
      config: {
        preChat: {
          enabled: true,
          fields: [{ name: 'name', label: 'Your name', type: 'text', required: true }],
        },
      },
    });
    const view = await client(stack.url, { token: await login(stack.url, ws.admin.email) })(
      'GET',
      `/api/v1/inboxes/${webchat.id}`,
    );
    websiteToken = view.body.config.websiteToken as string;
    browser = await openBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await graph.stop();
    delete process.env.META_GRAPH_BASE_URL;
  });

  it('the widget shows the visitor’s and the agent’s payloads as text; pre-chat name included', async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const widget = page.locator('[data-parley-widget]');
    await page.goto(`${stack.url}/demo/shop.html?websiteToken=${websiteToken}`);
    await widget.locator('.launcher').click();
    await widget.locator('form.prechat input[name="name"]').fill(XSS_NAME);
    await widget.locator('form.prechat button[type="submit"]').click();
    await widget.locator('textarea').fill(CORPUS_TEXT);
    await widget.locator('textarea').press('Enter');
    await widget.locator('.row.in .bubble').getByText(XSS_CORPUS[2]).waitFor();

    const webchatInbox = await db.query<Array<{ id: string }>>(
      `SELECT id FROM inboxes WHERE channel = 'webchat' AND workspace_id = $1`,
      [ws.workspaceId],
    );
    const conversationId = await conversationOf(webchatInbox[0].id);
    conversations.push({ channel: 'webchat', id: conversationId });
    const reply = await client(stack.url, { token: agentToken })(
      'POST',
      `/api/v1/conversations/${conversationId}/messages`,
      { body: CORPUS_TEXT },
    );
    expect(reply.status).toBe(201);
    const outgoing = widget.locator('.row.out .bubble');
    for (const payload of XSS_CORPUS) await outgoing.getByText(payload).first().waitFor();
    for (const payload of XSS_CORPUS)
      await widget.locator('.row.in .bubble').getByText(payload).first().waitFor();
    await assertInert(page, widget, dialogs);
    await page.close();
  });

  it('the agent app shows every channel’s payloads, names and file names as text', async () => {
    expect(conversations.map((c) => c.channel)).toEqual(['api', 'sms', 'messenger', 'email', 'webchat']);
    const page = await signIn(browser, stack.url, ws.admin.email, '/inbox?view=all');
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const root = page.locator('#root');
    const list = page.getByTestId('conversation-list');
    // Contact names (API, Meta profile, email display name, pre-chat) in the list, as text.
    await list.getByText(XSS_NAME).first().waitFor();
    expect(await list.getByText(XSS_NAME).count()).toBeGreaterThanOrEqual(3);
    for (const conversation of conversations) {
      await page.goto(`${stack.url}/inbox/${conversation.id}?view=all`);
      const timeline = page.getByRole('log', { name: 'Messages' });
      for (const payload of XSS_CORPUS) await timeline.getByText(payload).first().waitFor();
      if (conversation.channel === 'email') {
        await timeline.getByText(`${XSS_NAME}.pdf`).first().waitFor();
        // The original, with its HTML shown formatted (sanitized).
        await timeline.getByRole('button', { name: 'Show original' }).first().click();
        await page.getByLabel('Show formatted (sanitized HTML)').check();
        const html = page.locator('.email-html');
        await html.getByText('click me').first().waitFor();
        await assertInert(page, html, dialogs);
        await page.keyboard.press('Escape');
      }
      await assertInert(page, root, dialogs);
    }
    await page.close();
  });
});
