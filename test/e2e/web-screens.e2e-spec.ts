import { mkdirSync } from 'node:fs';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Browser, Page } from 'playwright-core';
import { SeedModule } from '../../apps/api/src/seed/seed.module.js';
import { SeedService, type SeedReport } from '../../apps/api/src/seed/seed.service.js';
import { createWorkerApp } from '../../apps/worker/src/worker.app.js';
import { OutboxRelay } from '@parley/jobs';
import { eventually } from '@parley/testing';
import { bootStack, type Stack } from '../support/stack.js';
import { openBrowser, signIn } from '../support/web.js';

// The main screens over the demo seed, checked and photographed (test-results/screenshots; the ones in
// docs/screenshots are copied from there when the UI changes).
const SHOTS = 'test-results/screenshots';

describe('web app: the main screens over the demo data', () => {
  let stack: Stack;
  let browser: Browser;
  let seed: SeedReport;
  let page: Page;
  let worker: INestApplicationContext | undefined;
  let reloads = 0;

  const shoot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png` });

  beforeAll(async () => {
    stack = await bootStack({ worker: false });
    const seeder = await NestFactory.createApplicationContext(SeedModule, { logger: false });
    seed = await seeder.get(SeedService).seed(true);
    // As the CLI does: hand the seed's outbox to Redis before closing, so nothing is left in flight.
    await seeder.get(OutboxRelay).drain();
    await seeder.close();
    // As in `npm run demo`, the worker starts after the seed; it computes the metrics the reports show.
    worker = await createWorkerApp({ logger: false });
    mkdirSync(SHOTS, { recursive: true });
    browser = await openBrowser();
    page = await signIn(browser, stack.url, seed.adminEmail, '/inbox?view=all', seed.adminPassword);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await stack?.close();
  });

  it('shows the login screen', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const login = await context.newPage();
    await login.goto(`${stack.url}/`);
    await login.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
    await login.screenshot({ path: `${SHOTS}/login.png` });
    await context.close();
  });

  it("shows one customer's timeline across channels with the context sidebar", async () => {
    const list = page.getByTestId('conversation-list');
    await list.getByRole('button', { name: /Maria Garcia/ }).click();
    const timeline = page.getByRole('log', { name: 'Messages' });
    await timeline.getByText('Here is the photo of the broken lid', { exact: false }).waitFor();
    // The same thread holds the API, SMS and email messages, each with its channel badge.
    for (const badge of ['API', 'SMS', 'Email'])
      await timeline.getByText(badge, { exact: true }).first().waitFor();
    await timeline.getByRole('button', { name: 'Show original' }).first().waitFor();
    const sidebar = page.getByRole('complementary', { name: 'Context' });
    await sidebar.getByText('maria.garcia@example.com').waitFor();
    await page.getByLabel('Reply via').waitFor();
    await shoot('inbox-conversation');
    await page.getByRole('textbox', { name: 'Reply', exact: true }).fill('/');
    await page.getByRole('listbox', { name: 'Canned responses' }).waitFor();
    await shoot('canned-responses');
    await page.getByRole('textbox', { name: 'Reply', exact: true }).fill('');
  }, 60_000);

  it('opens the original of an email in a dialog', async () => {
    await page
      .getByRole('log', { name: 'Messages' })
      .getByRole('button', { name: 'Show original' })
      .first()
      .click();
    const dialog = page.getByRole('dialog');
    await dialog
      .getByText(/not stored|From/)
      .first()
      .waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('fits a 1280×800 laptop screen', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('textbox', { name: 'Reply', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Resolve' }).waitFor();
    await shoot('inbox-laptop');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('shows the keyboard shortcuts', async () => {
    await page.getByRole('log', { name: 'Messages' }).click();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await shoot('shortcuts');
    await page.keyboard.press('Escape');
  });

  it('shows the live queue, reports and settings', async () => {
    await page.getByRole('link', { name: 'Live queue' }).click();
    await page.getByTestId('queue-open').waitFor();
    expect(Number(await page.getByTestId('queue-open').textContent())).toBeGreaterThanOrEqual(3);
    await shoot('live-queue');

    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByTestId('report-summary').waitFor();
    await page.getByRole('heading', { name: 'Trend' }).waitFor();
    // The worker folds the seeded conversations into metrics shortly after they are written.
    await eventually(async () => {
      await page.getByLabel('Period').selectOption(String(7 + (reloads++ % 2) * 23));
      return (await page.getByRole('img', { name: /Volume/ }).count()) > 0;
    }, 15_000);
    await page.getByRole('img', { name: /Volume/ }).waitFor();
    await shoot('reports');

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('cell', { name: 'support@parley.local', exact: true }).waitFor();
    await shoot('settings');
  }, 60_000);
});
