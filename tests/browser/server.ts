// Build the examples when dist is missing, then serve them on a free port of 127.0.0.1
// (a secure context, so navigator.gpu exists in the pages).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';

export interface ExampleServer {
  url: string;
  close(): Promise<void>;
}

/** Build dist/examples when it is missing (or GRADSCOPE_REBUILD=1), so the tests run from a clean checkout. */
export function ensureBuilt(): void {
  if (existsSync('dist/examples/index.html') && existsSync('dist/gradscope.browser.js') && !process.env.GRADSCOPE_REBUILD) return;
  execFileSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
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
