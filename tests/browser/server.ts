// Build the examples when dist is missing, then serve them on a free port of 127.0.0.1
// (a secure context, so navigator.gpu exists in the pages).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';

export interface ExampleServer {
  url: string;
  close(): Promise<void>;
}

/** Build dist/examples when it is missing (or GRADSCOPE_REBUILD=1), so the tests run from a clean checkout. */
/** What the page bundles are built from: a change in any of them means a rebuild. */
const SOURCES = ['examples', 'engine', 'kernels', 'activations', 'nn', 'experiment', 'report', 'cli', 'index.ts'];

export function ensureBuilt(): void {
  const lock = 'dist/.browser-test-build.lock';
  // Another test file may be building right now (its copied html is already fresh while
  // its bundles are still being written): wait for it before judging staleness.
  waitWhileExists(lock);
  const built = 'dist/examples/index.html';
  if (existsSync(built) && existsSync('dist/gradscope.browser.js') && !process.env.GRADSCOPE_REBUILD && !SOURCES.some((dir) => newerThan(dir, statSync(built).mtimeMs))) return;
  // Test files run in parallel workers: one builds, the others wait for it.
  mkdirSync('dist', { recursive: true });
  try {
    mkdirSync(lock);
  } catch {
    waitWhileExists(lock);
    return;
  }
  try {
    execFileSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function startServer(): Promise<ExampleServer> {
  ensureBuilt();
  // @ts-expect-error plain ESM module without types
  const { startExampleServer } = await import('../../examples/serve.mjs');
  const { server, url } = (await startExampleServer({ port: 0 })) as { server: Server; url: string };
  return {
    url,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** Whether any file under dir changed after `time` (page sources edited since the last build). */
function newerThan(dir: string, time: number): boolean {
  if (!existsSync(dir)) return false;
  if (!statSync(dir).isDirectory()) return statSync(dir).mtimeMs > time;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() ? newerThan(path, time) : statSync(path).mtimeMs > time) return true;
  }
  return false;
}

/** Block (the build is synchronous anyway) while another worker's build lock exists, at most 5 minutes. */
function waitWhileExists(path: string): void {
  const started = Date.now();
  while (existsSync(path) && Date.now() - started < 300_000) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
}
