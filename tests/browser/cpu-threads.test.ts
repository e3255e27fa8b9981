// The CPU backend's threaded matmul in Chromium: on the examples server, which sends
// COOP/COEP, a page is cross-origin isolated and a float32 product runs on helper
// Workers (the page's main thread spins while they finish, since it may not block);
// served without those headers, the same code runs single-threaded, unchanged. Either
// way the values are the bits of a one-thread product.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';

let h: Harness;
let plain: Server;
let plainUrl: string;
beforeAll(async () => {
  h = await startHarness();
  // The library bundle with no isolation headers: what a page on an ordinary server gets.
  plain = createServer((req, res) => {
    if (req.url === '/gradscope.browser.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync('dist/gradscope.browser.js'));
    } else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>plain</title>');
  });
  await new Promise<void>((ok) => plain.listen(0, '127.0.0.1', ok));
  plainUrl = `http://127.0.0.1:${(plain.address() as { port: number }).port}/`;
});
afterAll(async () => {
  await h?.close();
  await new Promise((ok) => plain?.close(ok));
});

interface PageRun {
  isolated: boolean;
  descriptions: string[];
  /** The product's bits, per thread count asked for. */
  bits: number[][];
}

/** In the page: the same product (SimpleNetwork's first layer, Wᵀ transposed) with threads = 1, 2 and 3. */
async function productsInPage(page: Page): Promise<PageRun> {
  return page.evaluate(async () => {
    // Through Function so vitest's transform leaves this import() alone: it runs in the page.
    const importInPage = new Function('url', 'return import(url)') as (url: string) => Promise<any>;
    const gs = await importInPage('/gradscope.browser.js');
    const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233));
    const descriptions: string[] = [];
    const bits: number[][] = [];
    for (const threads of [1, 2, 3]) {
      descriptions.push(await gs.setBackend('cpu', { threads }));
      const x = gs.tensor(values(128 * 784, 1), { shape: [128, 784] });
      const w = gs.tensor(values(256 * 784, 2), { shape: [256, 784] });
      const y = gs.matmul(x, w.transpose());
      bits.push(Array.from(new Uint32Array((await y.toArray()).buffer)));
      gs.dispose(x, w, y);
    }
    await gs.setBackend('cpu', { threads: 1 });
    return { isolated: globalThis.crossOriginIsolated === true, descriptions, bits };
  });
}

describe('the CPU matmul on several threads in Chromium', () => {
  it('a cross-origin isolated page (the examples server) splits products over Workers, to the same bits', async () => {
    const page = await h.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(h.server.url, { waitUntil: 'load' });
    const run = await productsInPage(page);
    expect(run.isolated).toBe(true);
    expect(run.descriptions[0]).toMatch(/WebAssembly SIMD matmul, 1 thread\b/);
    expect(run.descriptions[1]).toMatch(/WebAssembly SIMD matmul, 2 threads/);
    expect(run.descriptions[2]).toMatch(/WebAssembly SIMD matmul, 3 threads/);
    expect(run.bits[1]).toEqual(run.bits[0]);
    expect(run.bits[2]).toEqual(run.bits[0]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a page that is not cross-origin isolated runs the same code on one thread, to the same bits', async () => {
    const page = await h.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(plainUrl, { waitUntil: 'load' });
    const run = await productsInPage(page);
    expect(run.isolated).toBe(false);
    for (const description of run.descriptions) expect(description).toMatch(/WebAssembly SIMD matmul, 1 thread\b/);
    expect(run.bits[1]).toEqual(run.bits[0]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
