import { chromium, type Browser } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser; `.ci/run` installs it when missing. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Starts the system Chromium headless for browser tests. The flags keep it off the network
 * (this machine has none, and Chromium otherwise retries Google's hosts at every start).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
