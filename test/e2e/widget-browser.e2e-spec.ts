import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Browser, Locator, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import type { WorkspaceFixture } from '@parley/testing';
import { launchChromium } from '@parley/testing';
import { client, type AgentClient, type Stack } from '../support/stack.js';
import { buildWidgetBundle } from '../support/web.js';
import { addWebchatInbox, bootWidgetStack, type WebchatInbox } from './widget-client.js';

const BUNDLE = 'dist/widget/widget.js';

/** Browser globals, as seen from this (Node-typed) file inside `evaluate`. */
type BrowserGlobals = {
  getComputedStyle(node: unknown): Record<string, string>;
};

/** A computed style of the first element the locator matches. */
function style(locator: Locator, property: string): Promise<string> {
  return locator.evaluate(
    (node, name) => (globalThis as unknown as BrowserGlobals).getComputedStyle(node)[name],
    property,
  );
}

describe('Web chat widget in real Chromium on the demo page', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let inbox: WebchatInbox;
  let ws: WorkspaceFixture;
  let agentToken: string;
  let agentSocket: AgentClient;

  const widget = (selector: string) => page.locator(`[data-parley-widget] ${selector}`);

  beforeAll(async () => {
    // The test drives the bundle built from the current source.
    buildWidgetBundle();
    ({ stack, ws, inbox, agentToken, agentSocket } = await bootWidgetStack({
      greeting: 'Hei! How can we help?',
      replyTime: 'a few minutes',
    }));
    browser = await launchChromium();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    agentSocket?.close();
    await stack?.close();
  });

  it('serves a small self-contained bundle anyone may embed', async () => {
    const response = await fetch(`${stack.url}/widget.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('javascript');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const gzipped = gzipSync(readFileSync(BUNDLE)).length;
    console.log(`widget.js: ${statSync(BUNDLE).size} bytes, ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThan(60 * 1024);
  });

  it('a visitor writes from the demo shop, an agent answers, the reply appears; HTML stays text', async () => {
    await page.goto(`${stack.url}/demo/shop.html?websiteToken=${inbox.websiteToken}`);
    await widget('.launcher').click();
    await widget('.greeting').getByText('Hei! How can we help?').waitFor();
    await widget('header p').getByText('We typically reply in a few minutes').waitFor();

    const hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> Hello from the shop';
    await widget('textarea').fill(hostile);
    await widget('textarea').press('Enter');
    const created = await agentSocket.next('message.created', (p) => p.message.body === hostile);
    await widget('.row.in .bubble').getByText(hostile, { exact: true }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await agentSocket.emit('conversation.join', { conversationId: created.message.conversationId });

    const agent = client(stack.url, { token: agentToken });
    const reply = await agent('POST', `/api/v1/conversations/${created.message.conversationId}/messages`, {
      body: 'Hi! <b>Yes</b>, we ship to Tromsø.',
    });
    expect(reply.status).toBe(201);
    await widget('.row.out .bubble')
      .getByText('Hi! <b>Yes</b>, we ship to Tromsø.', { exact: true })
      .waitFor();
    expect(await widget('.row.out .bubble b').count()).toBe(0);
    // The panel is open and the page in front: the reply is read, and agents see it.
    await agentSocket.next(
      'message.updated',
      (p) => p.message.id === reply.body.id && p.message.status === 'read',
    );
  });

  it('isolates its styles from the host page', async () => {
    const launcher = widget('.launcher');
    expect(await style(launcher, 'borderRadius')).toBe('50%');
    expect(await style(widget('.send'), 'textTransform')).toBe('none');
    expect(await style(widget('textarea'), 'fontFamily')).not.toContain('Georgia');
    // And nothing of the widget's leaks out: the shop's own buttons keep their look.
    expect(await style(page.locator('main button').first(), 'textTransform')).toBe('uppercase');
  });

  it('keeps the visitor across a reload, shows unread replies on the launcher badge', async () => {
    await page.reload();
    await widget('.launcher').waitFor();
    const conversationId = (await agentSocket.next('message.created', (p) => p.message.direction === 'in'))
      .message.conversationId;
    const agent = client(stack.url, { token: agentToken });
    const reply = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      body: 'Anything else?',
    });
    expect(reply.status).toBe(201);
    await widget('.badge').getByText('1', { exact: true }).waitFor();
    await widget('.launcher').click();
    // History from before the reload plus the new reply, in order.
    await widget('.row.out .bubble').getByText('Anything else?').waitFor();
    const bubbles = await widget('.bubble').allTextContents();
    expect(bubbles.at(-1)).toBe('Anything else?');
    expect(bubbles.some((text) => text.includes('Hello from the shop'))).toBe(true);
    expect(await widget('.badge').isHidden()).toBe(true);
  });

  it('goes full screen on a phone', async () => {
    await page.setViewportSize({ width: 375, height: 700 });
    const box = await widget('.panel').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 375, height: 700 });
  });

  it('offers continuity by email after the first message when the inbox has it', async () => {
    const emailInbox = await ws.addInbox({ channel: 'email' });
    const chat = await addWebchatInbox(stack, ws, { continuityEmailInboxId: emailInbox.id });
    const other = await browser.newPage();
    await other.goto(`${stack.url}/demo/shop.html?websiteToken=${chat.websiteToken}`);
    const inWidget = (selector: string) => other.locator(`[data-parley-widget] ${selector}`);
    await inWidget('.launcher').click();
    expect(await inWidget('form.email-ask').count()).toBe(0);
    await inWidget('textarea').fill('Is the parka waterproof?');
    await inWidget('textarea').press('Enter');
    await inWidget('form.email-ask input').fill('not an email');
    await inWidget('form.email-ask button').click();
    await inWidget('form.email-ask .error').getByText('"not an email" is not an email address').waitFor();
    await inWidget('form.email-ask input').fill('lena@example.com');
    await inWidget('form.email-ask button').click();
    await inWidget('form.email-ask').waitFor({ state: 'detached' });
    const stored = await stack.api
      .get(DataSource)
      .query(`SELECT c.attributes FROM contacts c JOIN messages m ON m.contact_id = c.id WHERE m.body = $1`, [
        'Is the parka waterproof?',
      ]);
    expect(stored[0].attributes.webchat.email).toBe('lena@example.com');
    await other.close();
  });

  it('says why when the website token is unknown', async () => {
    const other = await browser.newPage();
    await other.goto(`${stack.url}/demo/shop.html?websiteToken=unknown-token-0000000`);
    await other.locator('[data-parley-widget] .launcher').click();
    await other
      .locator('[data-parley-widget] .notice')
      .getByText('Chat is unavailable: unknown website token')
      .waitFor();
    await other.close();
  });
});
