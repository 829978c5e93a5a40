import type { Browser, Page } from 'playwright-core';
import { createWorkspace, eventually, type WorkspaceFixture } from '@parley/testing';
import { bootStack, client, login, type Stack } from '../support/stack.js';
import { openBrowser, signIn } from '../support/web.js';

// A real Chromium drives the built web app (dist/web) served by the real api.
describe('web app: an agent and a supervisor at work', () => {
  let stack: Stack;
  let browser: Browser;
  let ws: WorkspaceFixture;
  let agentEmail: string;
  let supervisorEmail: string;
  let apiInboxId: string;
  let integration: ReturnType<typeof client>;
  let admin: ReturnType<typeof client>;
  let n = 0;

  const customerWrites = async (identifier: string, name: string, body: string, phone?: string) => {
    const response = await integration('POST', `/api/v1/inboxes/${apiInboxId}/inbound`, {
      externalId: `web-${(n += 1)}`,
      contact: { identifier, name, ...(phone ? { phone } : {}) },
      body,
    });
    expect(response.status).toBe(201);
    return response.body as { conversationId: string; contactId: string };
  };

  beforeAll(async () => {
    stack = await bootStack({ worker: false });
    ws = await createWorkspace(stack.api);
    agentEmail = (await ws.addMember('agent')).email;
    supervisorEmail = (await ws.addMember('supervisor')).email;
    apiInboxId = (await ws.addInbox({ channel: 'api', name: 'Shop app' })).id;
    await ws.addInbox({ channel: 'sms', name: 'Support SMS' });
    await ws.addInbox({ channel: 'whatsapp', name: 'Support WhatsApp' });
    integration = client(stack.url, { apiKey: await ws.addApiKey() });
    admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    browser = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('serves the app at / with an SPA fallback that leaves the api alone', async () => {
    const index = await fetch(`${stack.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("connect-src 'self' ws: wss:");
    const html = await index.text();
    expect(html).toContain('<div id="root">');

    const deep = await fetch(`${stack.url}/inbox/0b6f1c1e-0000-4000-8000-000000000000?view=all`, {
      headers: { accept: 'text/html' },
    });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);

    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const script = await fetch(`${stack.url}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toContain('immutable');

    const unknownApi = await fetch(`${stack.url}/api/v1/nothing-here`, { headers: { accept: 'text/html' } });
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.headers.get('content-type')).toContain('application/json');
    expect((await fetch(`${stack.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${stack.url}/assets/missing.js`)).status).toBe(404);
  });

  it('signs in, sees a message arrive live, replies on another channel, notes, resolves and searches', async () => {
    const page = await signIn(browser, stack.url, agentEmail, '/inbox?view=all');
    const list = page.getByTestId('conversation-list');
    await list.getByText('Nothing here').waitFor();

    // A customer writes through the shop app (API channel), with a phone number: SMS can reach them too.
    const { conversationId } = await customerWrites(
      'c-1',
      'Maria Garcia',
      'Where is my parcel?',
      '+14155550100',
    );
    await list.getByRole('button', { name: /Maria Garcia/ }).waitFor();
    await list.getByText('Where is my parcel?').waitFor();

    await list.getByRole('button', { name: /Maria Garcia/ }).click();
    await page.waitForURL(`**/inbox/${conversationId}?view=all`);
    const timeline = page.getByRole('log', { name: 'Messages' });
    await timeline.getByText('Where is my parcel?').waitFor();

    // A second message arrives while the conversation is open.
    await customerWrites('c-1', 'Maria Garcia', 'It was due Monday.');
    await timeline.getByText('It was due Monday.').waitFor();

    // Reply on SMS, not on the API channel the customer wrote from.
    const picker = page.getByLabel('Reply via');
    const smsOption = await picker.locator('option', { hasText: 'SMS' }).getAttribute('value');
    await picker.selectOption(smsOption ?? '');
    await page.getByRole('textbox', { name: 'Reply', exact: true }).fill('Checking with the courier now.');
    await page.getByRole('textbox', { name: 'Reply', exact: true }).press('Enter');
    const reply = timeline.getByTestId('message').filter({ hasText: 'Checking with the courier now.' });
    await reply.getByText('SMS').waitFor();
    const messages = await admin('GET', `/api/v1/conversations/${conversationId}/messages`);
    expect(messages.body.items).toContainEqual(
      expect.objectContaining({ body: 'Checking with the courier now.', channel: 'sms', direction: 'out' }),
    );

    // A private note, visibly distinct.
    await page.getByRole('tab', { name: 'Private note' }).click();
    await page.getByRole('textbox', { name: 'Private note' }).fill('Courier ticket #4411 opened');
    await page.getByRole('textbox', { name: 'Private note' }).press('Enter');
    await timeline
      .locator('[data-kind="note"]')
      .filter({ hasText: 'Courier ticket #4411 opened' })
      .getByText('Private note')
      .waitFor();
    const afterNote = await admin('GET', `/api/v1/conversations/${conversationId}/messages`);
    expect(afterNote.body.items).toContainEqual(
      expect.objectContaining({ body: 'Courier ticket #4411 opened', kind: 'note', private: true }),
    );

    // Resolve with the keyboard: leave the composer, press e.
    await page.getByRole('textbox', { name: 'Private note' }).press('Escape');
    await page.keyboard.press('e');
    await page.getByTestId('conversation-status').getByText('resolved').waitFor();
    await eventually(async () => {
      const detail = await admin('GET', `/api/v1/conversations/${conversationId}`);
      return detail.body.conversation.status === 'resolved';
    });

    // Search: "/" focuses the box; only the matching customer stays.
    await customerWrites('c-2', 'Tomasz Nowak', 'Invoice question');
    await page.getByRole('tab', { name: 'All open' }).click();
    await list.getByRole('button', { name: /Tomasz Nowak/ }).waitFor();
    await page.keyboard.press('/');
    await page.keyboard.type('Tomasz');
    await page.waitForURL(/q=Tomasz/);
    await eventually(async () => (await list.getByRole('button').count()) === 1);
    await list.getByRole('button', { name: /Tomasz Nowak/ }).waitFor();
    await page.context().close();
  }, 90_000);

  it('shows who else is viewing and typing, inserts a canned response and notifies a mention', async () => {
    const { conversationId } = await customerWrites('c-4', 'Ola Nordmann', 'Is the shop open on Sunday?');
    expect(
      (
        await admin('POST', '/api/v1/canned-responses', {
          shortCode: 'hours',
          content: 'We are open 9 to 5.',
        })
      ).status,
    ).toBe(201);
    const first = await signIn(browser, stack.url, agentEmail, `/inbox/${conversationId}?view=all`);
    await first.getByRole('log', { name: 'Messages' }).getByText('Is the shop open on Sunday?').waitFor();
    const second = await signIn(browser, stack.url, supervisorEmail, `/inbox/${conversationId}?view=all`);
    await second.getByRole('log', { name: 'Messages' }).getByText('Is the shop open on Sunday?').waitFor();

    // The collision notice names the supervisor on the agent's screen, and their typing shows.
    await first
      .getByTestId('collision-notice')
      .getByText(/also viewing/)
      .waitFor();
    await second.getByRole('textbox', { name: 'Reply', exact: true }).fill('Let me check');
    await first.getByText(/typing…/).waitFor();

    // "/" and the short code offer the canned response; Enter inserts it.
    const box = first.getByRole('textbox', { name: 'Reply', exact: true });
    await box.fill('/ho');
    await first.getByRole('option', { name: /hours/ }).waitFor();
    await box.press('Enter');
    expect(await box.inputValue()).toBe('We are open 9 to 5.');

    // A note that mentions the agent by first name notifies them (fixture members are named "agent …").
    await second.getByRole('tab', { name: 'Private note' }).click();
    await second.getByRole('textbox', { name: 'Private note' }).fill('@agent can you take this one?');
    await second.getByRole('textbox', { name: 'Private note' }).press('Enter');
    await first
      .locator('.toasts')
      .getByText(/mentioned you in a note/)
      .waitFor();

    await second.context().close();
    await eventually(async () => (await first.getByTestId('collision-notice').count()) === 0);
    await first.context().close();
  }, 90_000);

  it('pages the list as it scrolls, moves with j/k, opens with Enter and tells an agent about an assignment', async () => {
    const agentId = (await admin('GET', '/api/v1/members')).body.items.find(
      (m: { email: string }) => m.email === agentEmail,
    ).userId as string;
    // More conversations than one page (25) holds.
    for (let i = 0; i < 30; i += 1) await customerWrites(`bulk-${i}`, `Bulk customer ${i}`, `Question ${i}`);
    const page = await signIn(browser, stack.url, agentEmail, '/inbox?view=all');
    const list = page.getByTestId('conversation-list');
    await list.getByRole('button', { name: /Bulk customer 29/ }).waitFor();
    const firstPage = await list.getByRole('button').count();
    expect(firstPage).toBe(25);
    await list.getByRole('button').last().scrollIntoViewIfNeeded();
    await eventually(async () => (await list.getByRole('button').count()) > firstPage);

    // j moves the highlight to the second row; Enter opens it.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('j');
    const second = list.locator('[data-row="1"] button');
    await eventually(async () => (await second.getAttribute('class'))?.includes('highlighted'));
    const secondName = (await second.locator('.row-name').innerText()).trim();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: secondName }).waitFor();

    // An admin assigns a conversation to the agent: a notification offers to open it.
    const { conversationId } = await customerWrites('c-5', 'Ines Duarte', 'Refund please');
    expect(
      (await admin('POST', `/api/v1/conversations/${conversationId}/assign`, { assigneeId: agentId })).status,
    ).toBe(200);
    await page.getByText(/assigned you a conversation/).waitFor();
    await page.locator('.toasts').getByRole('button', { name: 'Open', exact: true }).click();
    await page.waitForURL(`**/inbox/${conversationId}`);
    await page.getByRole('log', { name: 'Messages' }).getByText('Refund please').waitFor();
    await page.context().close();
  }, 120_000);

  it("folds the customer's earlier conversation behind a boundary and edits the contact's name", async () => {
    // No reopen window: a message after the resolution starts a new conversation.
    expect((await admin('PATCH', '/api/v1/workspace', { settings: { reopenWindowDays: 0 } })).status).toBe(
      200,
    );
    const earlier = await customerWrites('c-6', 'Kofi Mensah', 'My first question');
    expect((await admin('POST', `/api/v1/conversations/${earlier.conversationId}/resolve`)).status).toBe(200);
    const later = await customerWrites('c-6', 'Kofi Mensah', 'A new question');
    expect(later.conversationId).not.toBe(earlier.conversationId);

    const page = await signIn(browser, stack.url, agentEmail, `/inbox/${later.conversationId}?view=all`);
    const timeline = page.getByRole('log', { name: 'Messages' });
    await timeline.getByText('A new question').waitFor();
    await timeline.getByText(/Earlier conversation/).waitFor();
    expect(await timeline.getByText('My first question').count()).toBe(0);
    await timeline.getByRole('button', { name: 'Show 1 message' }).click();
    await timeline.getByText('My first question').waitFor();
    await page
      .getByRole('complementary', { name: 'Context' })
      .getByRole('link', { name: /resolved/ })
      .waitFor();

    // The contact's name is edited from the sidebar.
    const sidebar = page.getByRole('complementary', { name: 'Context' });
    await sidebar.getByRole('button', { name: 'Edit' }).click();
    await sidebar.getByLabel('Contact name').fill('Kofi A. Mensah');
    await sidebar.getByLabel('Contact name').press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Kofi A. Mensah' }).waitFor();
    const contact = await admin('GET', `/api/v1/contacts/${later.contactId}`);
    expect(contact.body.name).toBe('Kofi A. Mensah');
    await page.context().close();
  }, 60_000);

  it('sends an approved WhatsApp template where the 24-hour window is closed, then snoozes to a chosen time', async () => {
    const { conversationId } = await customerWrites('c-7', 'Aiko Tanaka', 'Call me back?', '+14155550177');
    const page = await signIn(browser, stack.url, agentEmail, `/inbox/${conversationId}?view=all`);
    await page.getByRole('log', { name: 'Messages' }).getByText('Call me back?').waitFor();
    const picker = page.getByLabel('Reply via');
    const whatsapp = await picker.locator('option', { hasText: 'WhatsApp' }).getAttribute('value');
    await picker.selectOption(whatsapp ?? '');
    const group = page.getByRole('group', { name: 'WhatsApp template' });
    await group.getByText(/Outside the WhatsApp 24-hour window/).waitFor();
    const send = page.getByRole('button', { name: 'Send template' });
    expect(await send.isDisabled()).toBe(true);
    await group.getByLabel('Template SID').fill(`HX${'a1'.repeat(16)}`);
    await group.getByLabel('Template variables').fill('1=Aiko');
    await send.click();
    await eventually(async () => {
      const messages = await admin('GET', `/api/v1/conversations/${conversationId}/messages`);
      return (messages.body.items as Array<{ channel: string; direction: string }>).some(
        (m) => m.channel === 'whatsapp' && m.direction === 'out',
      );
    });

    // Snooze until a chosen time (two hours from now, in the browser's local time).
    await page.getByRole('button', { name: /Snooze/ }).click();
    const until = new Date(Date.now() + 2 * 3600_000);
    const local = new Date(until.getTime() - until.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByLabel('Snooze until').fill(local);
    await page.getByRole('menuitem', { name: 'Snooze' }).click();
    await page
      .getByTestId('conversation-status')
      .getByText(/snoozed until/)
      .waitFor();
    const detail = await admin('GET', `/api/v1/conversations/${conversationId}`);
    expect(detail.body.conversation.status).toBe('snoozed');
    expect(detail.body.conversation.snoozedUntil.slice(0, 16)).toBe(
      new Date(`${local}:00`).toISOString().slice(0, 16),
    );
    await page.context().close();
  }, 60_000);

  it('shows a supervisor the queue count change live', async () => {
    const page = await signIn(browser, stack.url, supervisorEmail, '/queue');
    const unassigned = page.getByTestId('queue-unassigned');
    await unassigned.waitFor();
    const before = Number(await unassigned.textContent());
    await customerWrites('c-3', 'Lena Fischer', 'Can I change my delivery address?');
    await eventually(async () => Number(await unassigned.textContent()) === before + 1);
    await page.getByRole('cell', { name: 'Shop app' }).first().waitFor();
    await page.context().close();
  }, 60_000);

  it('ends an expired session on the sign-in screen with the reason', async () => {
    const page: Page = await signIn(browser, stack.url, agentEmail, '/inbox');
    // The token is refused from now on (as after expiry or removal): the next request signs the tab out.
    await page.evaluate(`
      const stored = JSON.parse(localStorage.getItem('parley.session'));
      localStorage.setItem('parley.session', JSON.stringify({ ...stored, accessToken: 'expired' }));
    `);
    await page.reload();
    await page.getByText('Your session expired. Please sign in again.').waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.context().close();
  }, 60_000);
});
