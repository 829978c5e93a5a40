import type { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { SurveysService } from '@parley/surveys';
import { createWorkspace, eventually, type WorkspaceFixture } from '@parley/testing';
import { bootStack, client, login, type Stack } from '../support/stack.js';
import { openBrowser, signIn } from '../support/web.js';

// The public survey page behind the email link, in real Chromium, on a phone-sized screen.
describe('survey page: the email link opens the question, and only the confirm answers it', () => {
  let stack: Stack;
  let browser: Browser;
  let ws: WorkspaceFixture;
  let db: DataSource;
  let token: string;
  let surveyId: string;
  let conversationId: string;
  let agentEmail: string;

  beforeAll(async () => {
    stack = await bootStack();
    db = stack.api.get(DataSource);
    ws = await createWorkspace(stack.api, 'Acme <img src=x onerror="window.pwned=1">');
    const admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    await admin('PUT', '/api/v1/surveys/policy', { delayMinutes: 0, kinds: ['csat'] });
    const inboxId = (await ws.addInbox({ channel: 'api' })).id;
    const integration = client(stack.url, { apiKey: await ws.addApiKey() });
    agentEmail = (await ws.addMember('agent')).email;
    const agent = client(stack.url, { token: await login(stack.url, agentEmail) });
    const posted = await integration('POST', `/api/v1/inboxes/${inboxId}/inbound`, {
      contact: { identifier: 'page-customer' },
      body: 'Where is my parcel?',
    });
    conversationId = posted.body.conversationId as string;
    await agent('POST', `/api/v1/conversations/${conversationId}/messages`, { body: 'It arrives tomorrow.' });
    await agent('POST', `/api/v1/conversations/${conversationId}/resolve`);
    const row = await eventually(async () => {
      const [survey] = await db.query(`SELECT id, group_id, status FROM surveys WHERE conversation_id = $1`, [
        conversationId,
      ]);
      return survey?.status === 'sent' ? survey : undefined;
    });
    surveyId = row.id;
    token = stack.api.get(SurveysService).tokenFor(row.group_id);
    browser = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('preselects the clicked score, records nothing until confirmed, then thanks the customer', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${stack.url}/survey/${token}?score=4`);
    await page.getByRole('heading', { name: /How did Acme .* do\?/ }).waitFor();
    // The workspace name is shown as text, never run.
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    const four = page.getByRole('radio', { name: '4' });
    expect(await four.isChecked()).toBe(true);
    await page.screenshot({ path: 'test-results/screenshots/survey-page.png' });
    // Opening the page (as a mail scanner would) answers nothing.
    expect((await db.query(`SELECT status FROM surveys WHERE id = $1`, [surveyId]))[0].status).toBe('sent');
    await page.getByRole('radio', { name: '5' }).check({ force: true });
    await page.getByLabel(/Anything you would like to add/).fill('Very quick, thanks');
    await page.getByRole('button', { name: 'Send my answer' }).click();
    await page.getByText('Thank you for your feedback!').waitFor();
    const [answered] = await db.query(`SELECT status, score, comment FROM surveys WHERE id = $1`, [surveyId]);
    expect(answered).toEqual({ status: 'answered', score: 5, comment: 'Very quick, thanks' });
    await context.close();
  });

  it('shows the answer to agents in the conversation sidebar, with the "don\'t survey" switch', async () => {
    const page = await signIn(browser, stack.url, agentEmail, `/inbox/${conversationId}`);
    const card = page.getByRole('complementary', { name: 'Context' }).getByLabel('Surveys');
    await card.getByText('5/5').waitFor();
    await card.getByText('Very quick, thanks').waitFor();
    await card.getByLabel('Don’t survey this conversation').check();
    await eventually(async () => {
      const rows = await db.query(`SELECT 1 FROM survey_exclusions WHERE conversation_id = $1`, [
        conversationId,
      ]);
      return rows.length === 1;
    });
    await page.context().close();
  });

  it('says so for a link that is not valid', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.url}/survey/not-a-real-token`);
    await page.getByText('This survey link is not valid.').waitFor();
    await page.close();
  });
});
