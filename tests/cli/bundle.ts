// The `gradscope` command bundled from the current sources, with the options of
// `npm run build` (esbuild.mjs), for the tests that spawn it as users run it. The bundle
// goes into node_modules/.cache, so that its external packages resolve as dist/cli.js's do.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface CliBundle {
  /** The bundled command (cli.js). */
  path: string;
  remove(): void;
}

export async function bundleCli(): Promise<CliBundle> {
  const cache = join(process.cwd(), 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'gradscope-cli-test-'));
  const path = join(dir, 'cli.js');
  const esbuild = await import('esbuild');
  const config = (await import(pathToFileURL(join(process.cwd(), 'esbuild.mjs')).href)) as { cliBuildOptions(outfile: string): object };
  const remove = () => rmSync(dir, { recursive: true, force: true });
  await esbuild.build({ ...config.cliBuildOptions(path), logLevel: 'error' }).catch((error: unknown) => {
    remove();
    throw error;
  });
  return { path, remove };
}
