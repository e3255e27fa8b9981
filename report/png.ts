// PNG images of the report's main figures, for people who stay in the terminal: the
// report page is opened in headless Chromium (the system one; puppeteer's own download
// is skipped on purpose) and each figure's element is screenshotted.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG_FIGURES } from './html';

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** The Chromium to use: $CHROMIUM_PATH, else the usual system paths; null when none exists. */
export function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export type PngOutcome = { written: string[] } | { skipped: string };

/** Renders the figures (element id → file name; default: every one) of the report at `htmlPath` into `dir`; says why when it cannot. */
export async function renderFigures(htmlPath: string, dir: string, figures: Readonly<Record<string, string>> = PNG_FIGURES): Promise<PngOutcome> {
  const executablePath = findChromium();
  if (!executablePath) {
    return { skipped: `no Chromium found (set CHROMIUM_PATH; looked in ${CHROMIUM_CANDIDATES.join(', ')}): the HTML report has every figure` };
  }
  let puppeteer: typeof import('puppeteer').default;
  try {
    puppeteer = (await import('puppeteer')).default;
  } catch (error) {
    return { skipped: `puppeteer is not installed (${(error as Error).message}): the HTML report has every figure` };
  }
  const browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS, protocolTimeout: 180_000 });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1240, height: 900, deviceScaleFactor: 1 });
    await page.goto(`${pathToFileURL(htmlPath).href}#png`, { waitUntil: 'load', timeout: 120_000 });
    await page.waitForFunction('window.__reportReady === true || window.__reportError !== undefined', { timeout: 120_000 });
    const error = await page.evaluate('window.__reportError');
    if (error) throw new Error(`the report's figures failed to draw: ${String(error)}`);
    const written: string[] = [];
    for (const [id, file] of Object.entries(figures)) {
      const element = await page.$(`#${id}`);
      if (!element) throw new Error(`the report has no figure #${id}`);
      const path = join(dir, file) as `${string}.png`;
      await element.screenshot({ path });
      written.push(path);
    }
    return { written };
  } finally {
    await browser.close();
  }
}
