// One browser and one server per test file; pages opened through openPage() record
// their console errors and uncaught exceptions, which every test asserts are absent.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'puppeteer';
import { launchChromium } from './chromium';
import { startServer, type ExampleServer } from './server';

export interface Harness {
  browser: Browser;
  server: ExampleServer;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const server = await startServer();
  const browser = await launchChromium();
  return {
    browser,
    server,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
}

/** Open an example page (path relative to the examples root) and wait until it marks itself ready. */
export async function openPage(h: Harness, path: string, options: { readyTimeout?: number } = {}): Promise<OpenedPage> {
  const page = await h.browser.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
    if (m.type() === 'warn') console.warn(`[page ${path}] ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${(e as Error).message ?? String(e)}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  await page.goto(h.server.url + path, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.ready === 'true' || !document.getElementById('error')?.hidden, {
    timeout: options.readyTimeout ?? 90_000,
  });
  return { page, errors };
}

/** The text of the page's error box ('' when none is shown). */
export async function pageError(page: Page): Promise<string> {
  return page.evaluate(() => {
    const box = document.getElementById('error');
    return box && !box.hidden ? box.textContent ?? '' : '';
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync('test-artifacts', { recursive: true });
  await page.screenshot({ path: `test-artifacts/${name}.png`, fullPage: true });
}

/** A number the page mirrored into an element's data-value. */
export async function outputValue(page: Page, id: string): Promise<number> {
  return page.$eval(`#${id}`, (el) => Number((el as HTMLElement).dataset.value));
}

export async function backendShown(page: Page): Promise<{ kind: string; text: string }> {
  return page.$eval('#backend', (el) => ({ kind: (el as HTMLElement).dataset.backend ?? '', text: el.textContent ?? '' }));
}
