// The examples server (examples/serve.mjs, `npm run serve`) as a hostile client sees it:
// the real server on 127.0.0.1 and a random port, over a folder of pages with a private
// sibling folder and symbolic links beside it, and raw HTTP requests (node:net, so that
// nothing normalises them first), only ever to the loopback address.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const site = mkdtempSync(join(tmpdir(), 'gradscope-serve-test-'));
const root = join(site, 'examples');
const SECRET = 'the private sibling folder';
const OUTSIDE = 'a folder outside, reached through a link';
let server: Server;
let port: number;

beforeAll(async () => {
  mkdirSync(join(root, 'page'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>examples</title>');
  writeFileSync(join(root, 'page', 'index.html'), '<!doctype html><title>a page</title>');
  writeFileSync(join(root, 'notes.txt'), 'plain text');
  mkdirSync(join(site, 'examples-private'));
  writeFileSync(join(site, 'examples-private', 'secret.txt'), SECRET);
  mkdirSync(join(site, 'outside'));
  writeFileSync(join(site, 'outside', 'secret.txt'), OUTSIDE);
  symlinkSync(join(site, 'outside'), join(root, 'link-out'));
  symlinkSync(join(site, 'outside', 'secret.txt'), join(root, 'file-link-out.txt'));
  symlinkSync(join(root, 'index.html'), join(root, 'link-in.html'));
  // @ts-expect-error plain ESM module without types
  const { startExampleServer } = await import('../../examples/serve.mjs');
  ({ server } = (await startExampleServer({ port: 0, root })) as { server: Server });
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((ok) => server?.close(() => ok()));
  rmSync(site, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `request` byte for byte to the server on 127.0.0.1 and reads the response until the server closes. */
function raw(request: string): Promise<RawResponse> {
  return new Promise((ok, fail) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', fail);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine, ...headerLines] = text.slice(0, split).split('\r\n');
      const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      ok({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4) });
    });
    socket.write(request);
  });
}

function get(path: string, { method = 'GET', host = `127.0.0.1:${port}` }: { method?: string; host?: string | null } = {}): Promise<RawResponse> {
  return raw(`${method} ${path} HTTP/1.1\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`);
}

/** No response may show a stack trace or a path of this machine. */
function expectNothingOfTheMachine(response: RawResponse): void {
  expect(response.body).not.toMatch(/\n\s+at |Error:/);
  for (const path of [site, process.cwd(), tmpdir()]) expect(response.body).not.toContain(path);
}

describe('examples server: files only from inside its folder', () => {
  it('serves the pages, with nosniff', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.body).toContain('<title>examples</title>');
    expect((await get('/page/')).body).toContain('<title>a page</title>');
    expect((await get('/link-in.html')).body).toContain('<title>examples</title>');
  });

  it('never serves the sibling folder whose name starts like its own (/..%2fexamples-private/...)', async () => {
    for (const path of ['/..%2fexamples-private/secret.txt', '/..%2Fexamples-private%2Fsecret.txt', '/%2e%2e%2fexamples-private/secret.txt', '/../examples-private/secret.txt', '/..%5cexamples-private/secret.txt']) {
      const response = await get(path);
      expect([403, 404], path).toContain(response.status);
      expect(response.body).not.toContain(SECRET);
      expectNothingOfTheMachine(response);
    }
  });

  it('never follows a symbolic link out of its folder', async () => {
    for (const path of ['/link-out/secret.txt', '/file-link-out.txt']) {
      const response = await get(path);
      expect(response.status, path).toBe(403);
      expect(response.body).not.toContain(OUTSIDE);
    }
  });

  it('redirects a folder to its slash with a relative location (never to another host)', async () => {
    const response = await get('/page');
    expect(response.status).toBe(301);
    expect(response.headers.location).toBe('page/');
    const tricky = await get('//evil.example');
    expect(tricky.status).toBe(404);
    expect(tricky.headers.location).toBeUndefined();
  });
});

describe('examples server: bad requests get a short answer', () => {
  it('answers a malformed escape (GET /%) with 400 and a short text, no stack, no path', async () => {
    for (const path of ['/%', '/%zz', '/a%E0%A4%A', '/%00', '/index.html%00.txt']) {
      const response = await get(path);
      expect(response.status, path).toBe(400);
      expect(response.body.length).toBeLessThan(100);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expectNothingOfTheMachine(response);
    }
  });

  it('answers a target that is not a path, and a request Node cannot parse, with 400 and nosniff', async () => {
    const absolute = await raw(`GET http://evil.example/notes.txt HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(absolute.status).toBe(400);
    expect(absolute.body).not.toContain('plain text');
    const garbage = await raw('GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n');
    expect(garbage.status).toBe(400);
    expect(garbage.headers['x-content-type-options']).toBe('nosniff');
    expectNothingOfTheMachine(garbage);
  });

  it('serves only GET and HEAD: 405 with Allow otherwise', async () => {
    const head = await get('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE']) {
      const response = await get('/', { method });
      expect(response.status, method).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('refuses a Host that is not the loopback address (DNS rebinding), with or without a port', async () => {
    for (const host of [`localhost:${port}`, 'localhost', `127.0.0.1:${port}`, '127.0.0.1', '127.1.2.3', `[::1]:${port}`, '[::1]', 'LOCALHOST']) {
      expect((await get('/notes.txt', { host })).status, host).toBe(200);
    }
    for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1.evil.example', 'localhost.evil.example', '128.0.0.1', '127.0.0.256', '[::2]', `0.0.0.0:${port}`, '', null]) {
      const response = await get('/notes.txt', { host });
      expect(response.status, String(host)).toBe(403);
      expect(response.body).not.toContain('plain text');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});
