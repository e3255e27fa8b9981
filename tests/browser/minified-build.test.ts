// The minified browser build (dist/gradscope.browser.min.js, what a page loads without a
// bundler) is the readable one made smaller, nothing else: in Chromium it trains the
// README's ten lines (XOR with a tanh MLP, on the CPU backend) to the very losses of the
// readable build, and its source map leads back to the TypeScript sources.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { Browser } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium';
import { ensureBuilt } from './server';

const BUNDLES = ['gradscope.browser.js', 'gradscope.browser.min.js', 'gradscope.browser.min.js.map'];

let browser: Browser;
let server: Server;
let url: string;
beforeAll(async () => {
  ensureBuilt();
  server = createServer((req, res) => {
    const name = BUNDLES.find((b) => req.url === `/${b}`);
    if (name) res.writeHead(200, { 'content-type': name.endsWith('.map') ? 'application/json' : 'text/javascript' }).end(readFileSync(`dist/${name}`));
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>bundle</title>');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((ok) => server?.close(ok));
});

/** The ten lines in a fresh page with the bundle `name`: the loss at steps 0, 100, 200 (and page errors). */
async function tenLinesWith(name: string): Promise<{ losses: number[]; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(url, { waitUntil: 'load' });
  const losses = await page.evaluate(async (bundle) => {
    // Through Function so vitest's transform leaves this import() alone: it runs in the page.
    const importInPage = new Function('url', 'return import(url)') as (url: string) => Promise<any>;
    const gs = await importInPage(`/${bundle}`);
    await gs.setBackend('cpu');
    const x = gs.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = [0, 1, 1, 0];
    const model = new gs.nn.Sequential(new gs.nn.Linear(2, 8, { seed: 1 }), gs.activation('tanh'), new gs.nn.Linear(8, 2, { seed: 2 }));
    const opt = new gs.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const seen: number[] = [];
    for (let step = 0; step < 300; step++) {
      opt.zeroGrad();
      const loss = gs.losses.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      if (step % 100 === 0) seen.push(await loss.item());
    }
    return seen;
  }, name);
  await page.close();
  return { losses, errors };
}

describe('the minified browser build', () => {
  it('trains the ten lines in Chromium to the same losses as the readable build', async () => {
    const readable = await tenLinesWith('gradscope.browser.js');
    const minified = await tenLinesWith('gradscope.browser.min.js');
    expect(readable.errors).toEqual([]);
    expect(minified.errors).toEqual([]);
    // An untrained two-class network starts near ln 2; XOR is learned by step 200.
    expect(readable.losses[0]).toBeCloseTo(Math.LN2, 1);
    expect(readable.losses[2]).toBeLessThan(0.05);
    expect(minified.losses).toEqual(readable.losses);
  });

  it('is smaller than the readable build and names a source map holding the TypeScript sources', () => {
    const readable = readFileSync('dist/gradscope.browser.js', 'utf8');
    const minified = readFileSync('dist/gradscope.browser.min.js', 'utf8');
    expect(minified.length).toBeLessThan(0.75 * readable.length);
    expect(minified.trimEnd().split('\n').at(-1)).toBe('//# sourceMappingURL=gradscope.browser.min.js.map');
    const map = JSON.parse(readFileSync('dist/gradscope.browser.min.js.map', 'utf8')) as { sources: string[]; sourcesContent: string[] };
    const index = map.sources.indexOf('../index.ts');
    expect(index).toBeGreaterThanOrEqual(0);
    expect(map.sourcesContent[index]).toBe(readFileSync('index.ts', 'utf8'));
  });
});
