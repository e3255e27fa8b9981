// `npm run bench`: gradscope against TensorFlow.js, in Node and in headless Chromium,
// on whatever adapter the machine has (SwiftShader here; the real driver elsewhere).
//
//   node bench/run.mjs [--node-only] [--browser-only] [--quick] [--reps N] [--warmup N]
//                      [--sizes 128,256,...] [--engines gradscope-cpu,tfjs-cpu,...] [--out FILE]
//   node bench/run.mjs --build-only   # only bundle the suites and dist/bench/profile-step.mjs
//
// Engines: gradscope-webgpu, gradscope-cpu (every core), gradscope-cpu-1thread, tfjs-webgpu,
// tfjs-cpu, tfjs-wasm (browser only), pytorch-cpu (every core) and pytorch-cpu-1thread (Node
// only, where a Python with torch is found: GRADSCOPE_BENCH_PYTHON, python3, /usr/bin/python3).
//
// Prints a table of speed-ups (gradscope over peer, > 1 means gradscope is faster) with
// the absolute figures, and writes bench-results.json. Expects `npm run build` first.

import * as esbuild from 'esbuild';
import { createServer } from 'node:http';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const quick = flag('--quick');
const settings = {
  sizes: quick ? [128, 256] : [128, 256, 512, 1024],
  warmup: option('--warmup', quick ? 1 : 3),
  reps: Math.max(option('--reps', 10), 1),
};
const text = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const outFile = text('--out') ?? join(root, 'bench-results.json');
if (text('--sizes')) settings.sizes = text('--sizes').split(',').map(Number);
if (text('--engines')) settings.engines = text('--engines').split(',');
const runNode = !flag('--browser-only');
const runBrowser = !flag('--node-only');

if (!existsSync(join(root, 'dist/index.js')) || !existsSync(join(root, 'dist/gradscope.browser.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first (npm run bench does).');
  process.exit(1);
}

/** Bundle the suites: Node keeps packages external; the page gets tfjs inlined. */
async function buildSuites() {
  mkdirSync(join(root, 'dist/bench'), { recursive: true });
  const common = { bundle: true, format: 'esm', target: 'es2022', logLevel: 'warning', absWorkingDir: root };
  await Promise.all([
    // CommonJS for Node (tfjs's dependencies require() Node built-ins); tfjs's ESM sources, so
    // the gradients registered by register_all_gradients land in the same copy of tfjs-core.
    esbuild.build({ ...common, format: 'cjs', entryPoints: ['bench/node-suite.ts'], outfile: 'dist/bench/node-suite.cjs', platform: 'node', mainFields: ['module', 'main'], external: ['webgpu'] }),
    esbuild.build({ ...common, entryPoints: ['bench/profile-step.ts'], outfile: 'dist/bench/profile-step.mjs', platform: 'node', packages: 'external' }),
    esbuild.build({ ...common, entryPoints: ['bench/browser-suite.ts'], outfile: 'dist/bench/page.js', platform: 'browser', external: ['/dist/*'] }),
  ]);
}

const log = (line) => console.log(`  ${line}`);

async function nodeSuite() {
  console.log('Node:');
  // The suite first: it turns on relaxed SIMD on Node 20 (cli/wasm-features.ts) before gradscope's kernels probe for it.
  const suite = await import(pathToFileURL(join(root, 'dist/bench/node-suite.cjs')).href);
  const gs = await import(pathToFileURL(join(root, 'dist/index.js')).href);
  const runNodeSuite = suite.runNodeSuite ?? suite.default.runNodeSuite;
  const { performance } = await import('node:perf_hooks');
  return runNodeSuite(gs, { ...settings, now: () => performance.now(), log, pytorchScript: join(root, 'bench/pytorch-worker.py') });
}

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm', '.map': 'application/json', '.json': 'application/json' };

/**
 * Serve the repository's dist/ and tfjs's .wasm files on 127.0.0.1 (WebGPU needs a secure
 * context), cross-origin isolated (COOP/COEP), so SharedArrayBuffer exists and both
 * gradscope's CPU matmul and tfjs-wasm can use every core.
 */
function serve() {
  const page = '<!doctype html><meta charset="utf-8"><title>gradscope bench</title><script type="module" src="/dist/bench/page.js"></script>';
  const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const server = createServer((req, res) => {
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-embedder-policy', 'require-corp');
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = null;
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    if (path.startsWith('/dist/')) file = join(root, normalize(path));
    else if (path.startsWith('/wasm/')) file = join(wasmDir, normalize(path.slice('/wasm/'.length)));
    if (!file || !file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

async function browserSuite() {
  console.log('Chromium (headless):');
  const puppeteer = (await import('puppeteer')).default;
  const server = await serve();
  const url = `http://127.0.0.1:${server.address().port}/`;
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // CHROMIUM_FLAGS adds flags a GPU machine's Chromium may want (e.g. --enable-features=Vulkan).
    args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...(process.env.CHROMIUM_FLAGS ?? '').split(' ').filter(Boolean)],
    protocolTimeout: 0,
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => log(m.text()));
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => typeof globalThis.runBrowserSuite === 'function', { timeout: 60_000 });
    const report = await page.evaluate((o) => globalThis.runBrowserSuite(o), settings);
    report.browserVersion = await browser.version();
    return report;
  } finally {
    await browser.close();
    server.close();
  }
}

// --- the table ----------------------------------------------------------------------

const PAIRS = [
  ['gradscope-webgpu', 'tfjs-webgpu'],
  ['gradscope-cpu', 'tfjs-cpu'],
  ['gradscope-cpu', 'tfjs-wasm'],
  // gradscope-cpu uses every core, gradscope-cpu-1thread one: this row is the threads' speed-up.
  ['gradscope-cpu', 'gradscope-cpu-1thread'],
  ['gradscope-cpu-1thread', 'pytorch-cpu-1thread'],
  ['gradscope-cpu', 'pytorch-cpu'],
];

function table(title, report) {
  const byName = new Map(report.engines.map((e) => [e.engine, e]));
  const lines = [`### ${title} — adapter: ${report.adapter}`, '', '| measure | gradscope | peer | speed-up (peer time / gradscope time) |', '|---|---|---|---|'];
  for (const [ours, peer] of PAIRS) {
    const a = byName.get(ours);
    const b = byName.get(peer);
    if (!a || !b) continue;
    for (const ma of a.matmul) {
      const mb = b.matmul.find((x) => x.label === ma.label);
      if (!mb) continue;
      lines.push(`| matmul ${ma.label} GFLOP/s, ${ours} vs ${peer} | ${ma.gflops.toFixed(2)} | ${mb.gflops.toFixed(2)} | ${(ma.gflops / mb.gflops).toFixed(2)}× |`);
    }
    const sa = a.trainStep;
    const sb = b.trainStep;
    lines.push(
      `| train step ms (median [min–max]), measured separately, ${ours} vs ${peer} | ${sa.median.toFixed(1)} [${sa.min.toFixed(1)}–${sa.max.toFixed(1)}] | ${sb.median.toFixed(1)} [${sb.min.toFixed(1)}–${sb.max.toFixed(1)}] | ${(sb.median / sa.median).toFixed(2)}× |`,
      `| epoch (60k images) s, ${ours} vs ${peer} | ${sa.epochSeconds.toFixed(1)} | ${sb.epochSeconds.toFixed(1)} | |`,
    );
  }
  for (const p of report.pairs ?? []) {
    lines.push(
      `| **train step, alternating (the ratio to quote)**, ${p.ours} vs ${p.peer}, ms median [min–max] | ${p.oursMs.median.toFixed(1)} [${p.oursMs.min.toFixed(1)}–${p.oursMs.max.toFixed(1)}] | ${p.peerMs.median.toFixed(1)} [${p.peerMs.min.toFixed(1)}–${p.peerMs.max.toFixed(1)}] | **${p.speedup.toFixed(2)}×** |`,
    );
  }
  const alone = report.engines.filter((e) => !PAIRS.some(([o, p]) => (e.engine === o && byName.has(p)) || (e.engine === p && byName.has(o))));
  for (const e of alone) lines.push(`| train step ms, ${e.engine} (no peer measured) | ${e.trainStep.median.toFixed(1)} | | |`);
  for (const note of report.notes) lines.push(`| not measured: ${note.replace(/\|/g, '/')} | | | |`);
  return lines.join('\n');
}

await buildSuites();
if (flag('--build-only')) process.exit(0);
const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
  settings,
  node: null,
  browser: null,
};
if (runNode) results.node = await nodeSuite();
if (runBrowser) {
  try {
    results.browser = await browserSuite();
  } catch (error) {
    results.browser = { error: error.message };
    console.error(`bench: the browser run failed: ${error.message}`);
  }
}
console.log(`\nMachine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB; ${settings.reps} reps after ${settings.warmup} warm-up.\n`);
if (results.node) console.log(table(`Node (${results.node.where})`, results.node) + '\n');
if (results.browser?.engines) console.log(table(`Chromium ${results.browser.browserVersion}`, results.browser) + '\n');
writeFileSync(outFile, JSON.stringify(results, null, 2));
console.log(`wrote ${outFile}`);
// Dawn keeps the event loop alive.
process.exit(0);
