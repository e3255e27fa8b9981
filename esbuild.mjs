// Builds dist/: the Node ESM entry (dist/index.js), the CLI (dist/cli.js), the browser
// bundle (dist/gradscope.browser.js), type declarations (dist/types), and — when
// examples/ has pages — the example pages (dist/examples). dist/cli.js is also the entry
// of the worker threads of `gradscope compare --jobs N` (cli/main.ts), so it needs no
// second bundle. Imported (not run), this module only exports cliBuildOptions, which the
// CLI tests use to bundle the current sources.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, mkdirSync, copyFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const watch = process.argv.includes('--watch');
// Node-only modules stay external: the browser bundle never reaches them (dynamic imports behind checks).
const nodeExternals = ['webgpu', 'fashion-mnist', 'commander', 'cli-progress', 'puppeteer', 'puppeteer-core', 'plotly.js-dist-min', 'node:*'];

const common = { bundle: true, format: 'esm', sourcemap: true, target: 'es2022', logLevel: 'warning' };

/** The esbuild options of the `gradscope` command's bundle (dist/cli.js, or `outfile`). */
export function cliBuildOptions(outfile = 'dist/cli.js') {
  return {
    ...common,
    entryPoints: ['cli/main.ts'],
    outfile,
    platform: 'node',
    external: nodeExternals,
    banner: { js: '#!/usr/bin/env node' },
  };
}

const runAsScript = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (runAsScript) await buildAll();

async function buildAll() {
  const builds = [
    { ...common, entryPoints: ['index.ts'], outfile: 'dist/index.js', platform: 'node', external: nodeExternals },
    {
      ...common,
      entryPoints: ['index.ts'],
      outfile: 'dist/gradscope.browser.js',
      platform: 'browser',
      external: nodeExternals,
    },
  ];
  if (existsSync('cli/main.ts')) builds.push(cliBuildOptions());
  // Example pages: every examples/<name>/main.ts becomes dist/examples/<name>/main.js,
  // and the page's static files (html, css) are copied beside it.
  if (existsSync('examples')) {
    for (const name of readdirSync('examples')) {
      const dir = join('examples', name);
      if (!statSync(dir).isDirectory() || !existsSync(join(dir, 'main.ts'))) continue;
      builds.push({ ...common, entryPoints: [join(dir, 'main.ts')], outfile: join('dist/examples', name, 'main.js'), platform: 'browser', external: nodeExternals.filter((m) => m !== 'plotly.js-dist-min') });
      mkdirSync(join('dist/examples', name), { recursive: true });
      for (const file of readdirSync(dir)) {
        if (/\.(html|css|svg|png)$/.test(file)) copyFileSync(join(dir, file), join('dist/examples', name, file));
      }
    }
    if (existsSync('examples/index.html')) {
      mkdirSync('dist/examples', { recursive: true });
      copyFileSync('examples/index.html', 'dist/examples/index.html');
    }
  }

  await Promise.all(builds.map((b) => esbuild.build(b)));
  if (!watch) {
    // Declarations for library users.
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  }
  console.log(`built ${builds.length} bundles into dist/`);
}
