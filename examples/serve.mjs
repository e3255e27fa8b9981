// A small static server for the example pages: serves dist/examples (built by
// esbuild.mjs) on 127.0.0.1, which is a secure context, so navigator.gpu exists there.
// Also serves FashionMNIST (and MNIST) as nn/data's compact binary (GET /data/fashion-mnist.gsim)
// for the FashionMNIST page. Usage: `npm run serve` (PORT=8080 by default).
//
// It answers only what a page needs and nothing a hostile page or client could use:
// GET and HEAD only; only requests addressed to the loopback address (a Host header of
// 127.x.x.x, localhost or [::1]), so a DNS-rebinding page cannot read it; only files whose
// real path (symbolic links resolved) lies inside its folder; bad requests get a short
// text, never a stack or a path of this machine; every response says nosniff.
import { createServer } from 'node:http';
import { readFile, realpath, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const DEFAULT_ROOT = resolve(here, '..', 'dist', 'examples');

const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

const ALLOWED_METHODS = 'GET, HEAD';

/** A Host header naming the loopback address: 127.0.0.0/8, localhost or [::1], with or without a port. */
const LOOPBACK_HOST = /^(?:localhost|127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}|\[::1\])(?::\d{1,5})?$/i;

/** A request the server refuses, with its status and a short text for the client. */
class Refusal extends Error {
  constructor(status, text) {
    super(text);
    this.status = status;
  }
}

/** The request's path, percent-decoded; a malformed escape or a NUL byte is a bad request. */
function decodePath(pathname) {
  let path;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    throw new Refusal(400, 'bad request: malformed percent-escape in the path');
  }
  if (path.includes('\0')) throw new Refusal(400, 'bad request: NUL byte in the path');
  return path;
}

/**
 * The real path of `path` (from the request) inside `realRoot`, symbolic links resolved;
 * refused when it lies outside, null when there is nothing there.
 */
async function fileInside(realRoot, path) {
  const real = await realpath(join(realRoot, path)).catch(() => null);
  if (real === null) return null;
  const inside = relative(realRoot, real);
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) throw new Refusal(403, 'forbidden');
  return real;
}

/**
 * Cross-origin isolation (COOP + COEP) on every response: it gives the pages
 * SharedArrayBuffer, so the CPU backend's matmul runs on every core; without it the
 * pages still work, single-threaded. Everything the pages load is same-origin.
 */
const CROSS_ORIGIN_ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/**
 * Start the server. Resolves to { server, url } once it listens. port 0 picks a free port
 * (the browser tests use that); root is the folder served (dist/examples by default).
 */
export async function startExampleServer({ port = Number(process.env.PORT ?? 8080), host = '127.0.0.1', root = DEFAULT_ROOT, log = false } = {}) {
  if (!existsSync(root)) throw new Error(`serve: ${root} does not exist; run \`npm run build\` first`);
  const realRoot = await realpath(root);
  // requireHostHeader off: a request without Host is refused below, with the same headers as every other.
  const server = createServer({ requireHostHeader: false }, async (req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-store');
    for (const [name, value] of Object.entries(CROSS_ORIGIN_ISOLATION)) res.setHeader(name, value);
    try {
      if (!LOOPBACK_HOST.test(req.headers.host ?? '')) throw new Refusal(403, 'forbidden: this server answers only requests to 127.0.0.1, localhost or [::1]');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', ALLOWED_METHODS);
        throw new Refusal(405, `method not allowed: only ${ALLOWED_METHODS}`);
      }
      // Only a path ('/page/'): parsed as one, '//evil.example' would read as a host name.
      if (!req.url?.startsWith('/')) throw new Refusal(400, 'bad request: the request target must be a path');
      let url;
      try {
        url = new URL(`http://127.0.0.1${req.url}`);
      } catch {
        throw new Refusal(400, 'bad request: malformed URL');
      }
      // Browsers ask for a favicon on every page; answer with nothing rather than a 404.
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204);
        return res.end();
      }
      // The library bundle itself, so a page (or a test) can `await import('/gradscope.browser.js')`.
      if (url.pathname === '/gradscope.browser.js' || url.pathname === '/gradscope.browser.js.map') {
        return sendBody(res, contentTypes[extname(url.pathname)], await readFile(join(realRoot, '..', url.pathname.slice(1))));
      }
      if (url.pathname.startsWith('/data/')) return await serveData(url.pathname.slice('/data/'.length), res);
      let path = decodePath(url.pathname);
      if (path.endsWith('/')) path += 'index.html';
      const file = await fileInside(realRoot, path);
      const info = file && (await stat(file).catch(() => null));
      if (!info) return send(res, 404, `not found: ${path}`);
      if (info.isDirectory()) {
        // Relative, so the redirect can never lead to another host ('//evil.example/').
        res.writeHead(301, { location: `${url.pathname.slice(url.pathname.lastIndexOf('/') + 1)}/` });
        return res.end();
      }
      sendBody(res, contentTypes[extname(file)] ?? 'application/octet-stream', await readFile(file));
    } catch (error) {
      if (error instanceof Refusal) return send(res, error.status, error.message);
      // The details are for the person running the server, never for the client.
      console.error(`serve: ${req.method} ${req.url}:`, error);
      send(res, 500, 'internal server error');
    }
  });
  // A request Node cannot even parse: a short 400 with the same headers.
  server.on('clientError', (error, socket) => {
    if (!socket.writable) return socket.destroy();
    socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\nx-content-type-options: nosniff\r\ncontent-length: 12\r\nconnection: close\r\n\r\nbad request\n');
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
  sendBody(res, 'application/octet-stream', Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** 200 with a body (which Node leaves out for HEAD). */
function sendBody(res, contentType, body) {
  res.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
  res.end(body);
}

function send(res, status, text) {
  const body = Buffer.from(`${text}\n`);
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });
  res.end(body);
}

// Run directly (`node examples/serve.mjs`): serve until killed.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await startExampleServer({ log: true });
}
