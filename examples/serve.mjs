// A small static server for the example pages: serves dist/examples (built by
// esbuild.mjs) on 127.0.0.1, which is a secure context, so navigator.gpu exists there.
// Also serves FashionMNIST (and MNIST) as nn/data's compact binary (GET /data/fashion-mnist.gsim)
// for the FashionMNIST page. Usage: `npm run serve` (PORT=8080 by default).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', 'dist', 'examples');

const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
};

/**
 * Cross-origin isolation (COOP + COEP) on every response: it gives the pages
 * SharedArrayBuffer, so the CPU backend's matmul runs on every core; without it the
 * pages still work, single-threaded. Everything the pages load is same-origin.
 */
const CROSS_ORIGIN_ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/**
 * Start the server. Resolves to { server, url } once it listens. port 0 picks a free port
 * (the browser tests use that).
 */
export async function startExampleServer({ port = Number(process.env.PORT ?? 8080), host = '127.0.0.1', log = false } = {}) {
  if (!existsSync(root)) throw new Error(`serve: ${root} does not exist; run \`npm run build\` first`);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', `http://${host}`);
      for (const [name, value] of Object.entries(CROSS_ORIGIN_ISOLATION)) res.setHeader(name, value);
      // Browsers ask for a favicon on every page; answer with nothing rather than a 404.
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204);
        return res.end();
      }
      // The library bundle itself, so a page (or a test) can `await import('/gradscope.browser.js')`.
      if (url.pathname === '/gradscope.browser.js' || url.pathname === '/gradscope.browser.js.map') {
        res.writeHead(200, { 'content-type': contentTypes[extname(url.pathname)], 'cache-control': 'no-store' });
        return res.end(await readFile(join(root, '..', url.pathname.slice(1))));
      }
      if (url.pathname.startsWith('/data/')) return await serveData(url.pathname.slice('/data/'.length), res);
      let path = decodeURIComponent(url.pathname);
      if (path.endsWith('/')) path += 'index.html';
      const file = normalize(join(root, path));
      // Never serve anything outside dist/examples.
      if (!file.startsWith(root)) return send(res, 403, 'forbidden');
      const info = await stat(file).catch(() => null);
      if (!info) return send(res, 404, `not found: ${path}`);
      if (info.isDirectory()) {
        res.writeHead(301, { location: url.pathname + '/' });
        return res.end();
      }
      res.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(await readFile(file));
    } catch (error) {
      send(res, 500, String(error?.stack ?? error));
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const address = server.address();
  const url = `http://${host}:${address.port}/`;
  if (log) console.log(`gradscope examples: ${url}`);
  return { server, url };
}

const IMAGE_SETS = ['fashion-mnist', 'mnist'];

/**
 * GET /data/<set>.gsim: an image set's binary cache (nn/data's format, built from the npm
 * package on first use and kept under .cache/gradscope/), for gs.data.imageSetFromBytes
 * in the page. The engine's Node build (dist/index.js) does the conversion.
 */
async function serveData(name, res) {
  const set = name.replace(/\.gsim$/, '');
  if (!name.endsWith('.gsim') || !IMAGE_SETS.includes(set)) {
    return send(res, 404, `unknown data file '${name}' (valid: ${IMAGE_SETS.map((s) => s + '.gsim').join(', ')})`);
  }
  const gs = await import('../dist/index.js');
  const bytes = await gs.data.imageSetBytes(set);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length, 'cache-control': 'no-store' });
  res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

function send(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

// Run directly (`node examples/serve.mjs`): serve until killed.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await startExampleServer({ log: true });
}
