import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, TEST_PASSWORD } from '@parley/testing';

/** The browser tests drive the built app that the api serves; `npm test` builds it before the e2e tier. */
export function assertWebAppBuilt(): void {
  if (!existsSync('dist/web/index.html')) {
    throw new Error('dist/web is not built: run `npm run build:web` before the browser tests');
  }
}

/** Builds the chat widget bundle (dist/widget/widget.js) from the current source; `ifMissing` keeps a built one. */
export function buildWidgetBundle(options: { ifMissing?: boolean } = {}): void {
  if (options.ifMissing && existsSync('dist/widget/widget.js')) return;
  execFileSync(
    process.execPath,
    [
      'node_modules/vite/bin/vite.js',
      'build',
      '--config',
      'apps/web/vite.widget.config.ts',
      '--logLevel',
      'error',
    ],
    { env: { ...process.env, NODE_ENV: 'production' } },
  );
}

export async function openBrowser(): Promise<Browser> {
  assertWebAppBuilt();
  return launchChromium();
}

/** A fresh page (own storage) signed in through the login form. */
export async function signIn(
  browser: Browser,
  url: string,
  email: string,
  path = '/inbox',
  password = TEST_PASSWORD,
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${url}${path}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}
