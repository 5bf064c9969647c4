// One headless Chromium (Debian's, never a downloaded one) per test file, driven by playwright-core.
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Opens `url` in a fresh context and waits until the page's IPC socket is up. `beforeLoad` runs on the page before
 * it navigates (to catch what the page logs or opens while it loads).
 */
export async function openPage(browser: Browser, url: string, beforeLoad?: (page: Page) => void): Promise<Page> {
  const context = await browser.newContext();
  // tsx compiles test files with esbuild's keepNames, which wraps named functions in `__name(...)`; functions we
  // pass to page.evaluate carry that call into the page, so the page needs the (identity) helper too.
  await context.addInitScript('globalThis.__name = (f) => f');
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  beforeLoad?.(page);
  await page.goto(url);
  await page.waitForFunction(() => typeof (window as unknown as { api?: unknown }).api === 'object');
  return page;
}
