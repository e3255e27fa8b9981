// `npm run bench:core-time`: what a whole comparison costs in CPU time, gradscope against
// PyTorch, on the same machine in the same invocation.
//
//   node bench/core-time.mjs [--protocol quick] [--epochs 15] [--jobs N] [--pytorch-jobs N] [--pytorch-threads N] [--repeats N] [--out FILE]
//
// gradscope: the real command, `gradscope compare --protocol P --epochs E --device cpu
// --no-png`, with bench/cpu-time-at-exit.mjs preloaded to record its CPU time (every
// thread, user + system) — data loading, every run, the report, all of it.
// PyTorch: bench/pytorch-compare.py trains the same runs (the protocol's activations and
// the baseline, the same network, optimizer, batches, per-epoch evaluation and dead-unit
// count) on the SAME arrays gradscope loads (written here from gs.data), timing its own
// CPU with time.process_time. Core time is what is compared, so by default each side runs
// as it spends the fewest core-seconds: one run per core, one thread each (no thread
// waits on another): gradscope with --jobs = the cores, PyTorch on one thread in
// --pytorch-jobs processes at once (default: as many as gradscope's jobs; their CPU
// times summed). The two sides then share the machine alike: runs side by side cost
// each other ~10% on the 2-core EPYC (memory and cache), so PyTorch's runs one after
// another on an idle machine (`--pytorch-jobs 1`, the only way before 2026-12-02) are
// the cheaper condition. `--jobs 1 --pytorch-jobs 1 --pytorch-threads <cores>` measures
// both with every core on one run.
// Needs a Python with torch (GRADSCOPE_BENCH_PYTHON, python3 or /usr/bin/python3; Debian:
// apt-get install python3-torch libopenblas0-pthread); the test suite never runs this.
//
// Prints a Markdown table (per run: test accuracy and seconds on each side; the CPU and
// wall time of the whole comparison and their ratio) and writes a JSON file. With
// --repeats N the two sides run N times, alternately (gradscope, PyTorch, gradscope, …),
// so that a slow spell of the machine falls on both: each pair's ratio is printed and the
// median ratio is the one to quote (one pair moved by 25% between runs on a quiet VM).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const { values: args } = parseArgs({
  options: {
    protocol: { type: 'string', default: 'quick' },
    epochs: { type: 'string', default: '15' },
    out: { type: 'string', default: join(root, 'core-time-results.json') },
    jobs: { type: 'string', default: String(availableParallelism()) },
    'pytorch-threads': { type: 'string', default: '1' },
    'pytorch-jobs': { type: 'string' },
    repeats: { type: 'string', default: '1' },
  },
});
/** A positive integer option, or an error naming the option and what it was given. */
const positive = (name) => {
  const value = Number(args[name]);
  if (!(Number.isInteger(value) && value > 0)) throw new Error(`--${name} must be a positive integer, got ${args[name]}`);
  return value;
};
const epochs = positive('epochs');
const jobs = positive('jobs');
const threads = positive('pytorch-threads');
args['pytorch-jobs'] ??= String(jobs);
const pytorchJobs = positive('pytorch-jobs');
const repeats = positive('repeats');
const protocolFile = join(root, 'protocols', `${args.protocol}.json`);
if (!existsSync(protocolFile)) throw new Error(`no protocol '${args.protocol}' (${protocolFile} is missing)`);
const settings = JSON.parse(readFileSync(protocolFile, 'utf8')).settings;
const plain = settings.activations.every((a) => typeof a === 'string');
if (settings.dataset !== 'fashion-mnist' && settings.dataset !== 'mnist') throw new Error(`core-time compares the image protocols; '${args.protocol}' trains on ${settings.dataset}`);
if (!plain || settings.optimizer !== 'sgd' || settings.shareActivation) {
  throw new Error(`core-time's PyTorch side knows plain activation names, SGD and one activation per layer; '${args.protocol}' asks for more`);
}
if (!existsSync(join(root, 'dist/cli.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm run bench:core-time does)');

const pythons = process.env.GRADSCOPE_BENCH_PYTHON ? [process.env.GRADSCOPE_BENCH_PYTHON] : ['python3', '/usr/bin/python3'];
const python = pythons.find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
if (!python) {
  console.error(`core-time: no Python with torch (tried ${pythons.join(', ')}); on Debian: apt-get install -y python3-torch libopenblas0-pthread, or set GRADSCOPE_BENCH_PYTHON`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'gradscope-core-time-'));
try {
  // gradscope, as a user runs it.
  const runGradscope = () => {
    const cpuFile = join(work, 'gradscope-cpu.json');
    const out = join(work, 'gradscope-out');
    const cliArgs = ['--import', pathToFileURL(join(root, 'bench/cpu-time-at-exit.mjs')).href, join(root, 'dist/cli.js'), 'compare', '--protocol', args.protocol, '--epochs', String(epochs), '--jobs', String(jobs), '--device', 'cpu', '--no-png', '--out', out];
    console.error(`gradscope: node ${cliArgs.slice(2).join(' ')}`);
    const started = performance.now();
    const run = spawnSync(process.execPath, cliArgs, {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, GRADSCOPE_CPU_TIME_FILE: cpuFile },
    });
    const wallSeconds = (performance.now() - started) / 1000;
    if (run.status !== 0) throw new Error(`gradscope compare exited with status ${run.status}`);
    return { ...JSON.parse(readFileSync(cpuFile, 'utf8')), wallSeconds, results: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) };
  };

  // The same arrays for PyTorch: gradscope's loaded split, normalised, as float32.
  const gs = await import(pathToFileURL(join(root, 'dist/index.js')).href);
  const load = settings.dataset === 'mnist' ? gs.data.mnist : gs.data.fashionMnist;
  const { train, test } = await load({ trainSize: settings.trainSize, testSize: settings.testSize, seed: settings.seed, normalize: settings.normalize, cacheDir: join(root, '.cache/gradscope') });
  const parts = [];
  for (const set of [train, test]) {
    const x = new Float32Array(set.length * set.features);
    set.gather(Int32Array.from({ length: set.length }, (_, i) => i), x);
    parts.push(Buffer.from(x.buffer), Buffer.from(new Int32Array(set.labels).buffer));
  }
  const dataFile = join(work, 'data.f32');
  writeFileSync(dataFile, Buffer.concat(parts));
  const request = {
    data: dataFile,
    train: train.length,
    test: test.length,
    features: train.features,
    classes: train.classes,
    hidden: settings.hidden,
    activations: settings.activations,
    lr: settings.lr,
    momentum: settings.momentum,
    batch: settings.batch,
    epochs,
    seed: settings.seed,
    threads,
  };
  // The runs dealt out over the PyTorch processes in turn (in the protocol's order, as
  // gradscope's workers take them), each process one request file.
  const allRuns = [...settings.activations, 'none'];
  const groups = Array.from({ length: Math.min(pytorchJobs, allRuns.length) }, (_, j) => allRuns.filter((_, i) => i % pytorchJobs === j));
  const requestFiles = groups.map((runs, j) => {
    const file = join(work, `request-${j}.json`);
    writeFileSync(file, JSON.stringify({ ...request, runs }));
    return file;
  });
  const runPytorch = async () => {
    console.error(`pytorch: ${python} bench/pytorch-compare.py (${groups.length} process(es) at once, ${threads} thread(s) each)`);
    const started = performance.now();
    // torch.set_num_threads does not bind the BLAS library's own pool (Debian's torch uses
    // OpenBLAS): without these, "1 thread" still spins a second core.
    const threadEnv = Object.fromEntries(['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'].map((name) => [name, String(threads)]));
    const processes = await Promise.all(
      requestFiles.map(
        (file) =>
          new Promise((done, fail) => {
            const child = spawn(python, [join(root, 'bench/pytorch-compare.py'), file], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...threadEnv } });
            let stdout = '';
            child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text));
            child.on('error', fail);
            child.on('close', (status) => (status === 0 ? done(JSON.parse(stdout.trim().split('\n').pop())) : fail(new Error(`pytorch-compare.py exited with status ${status}`))));
          }),
      ),
    );
    const byName = new Map(processes.flatMap((p) => p.runs.map((r) => [r.activation, r])));
    return {
      torch: processes[0].torch,
      threads: processes[0].threads,
      processes: processes.length,
      runs: allRuns.map((name) => byName.get(name)),
      cpuSeconds: processes.reduce((sum, p) => sum + p.cpuSeconds, 0),
      wallSeconds: Math.max(...processes.map((p) => p.wallSeconds)),
      processWallSeconds: (performance.now() - started) / 1000,
    };
  };

  // The pairs, alternately.
  const pairs = [];
  for (let r = 0; r < repeats; r++) {
    if (repeats > 1) console.error(`pair ${r + 1} of ${repeats}`);
    const gradscope = runGradscope();
    pairs.push({ gradscope, pytorch: await runPytorch() });
  }
  const ratios = pairs.map((p) => p.gradscope.cpuSeconds / p.pytorch.cpuSeconds);
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  // The per-run table of the pair whose ratio is the median (the first of two in the middle).
  const shown = pairs[ratios.indexOf([...ratios].sort((a, b) => a - b)[Math.floor((ratios.length - 1) / 2)])];
  const byLabel = new Map(shown.gradscope.results.runs.map((r) => [r.label ?? r.activation, r]));
  const lines = [
    `${args.protocol} protocol, ${epochs} epochs, ${train.length}/${test.length} images; gradscope --jobs ${jobs} (each run's matmul on ${Math.max(1, Math.floor(availableParallelism() / jobs))} thread(s)), PyTorch ${groups.length} process(es) at once, ${threads} thread(s) each; ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}; torch ${shown.pytorch.torch}`,
    '',
    '| run | gradscope test acc | PyTorch test acc | gradscope s | PyTorch s |',
    '|---|---|---|---|---|',
    ...shown.pytorch.runs.map((p) => {
      const g = byLabel.get(p.activation);
      return `| ${p.activation} | ${(100 * g.testAccuracy).toFixed(2)}% | ${(100 * p.testAccuracy).toFixed(2)}% | ${g.totalSeconds.toFixed(1)} | ${p.seconds.toFixed(1)} |`;
    }),
    '',
    '| whole comparison | gradscope | PyTorch | ratio (gradscope / PyTorch) |',
    '|---|---|---|---|',
    ...pairs.flatMap((p, i) => [
      `| CPU time (all threads), s${repeats > 1 ? `, pair ${i + 1}` : ''} | ${p.gradscope.cpuSeconds.toFixed(1)} | ${p.pytorch.cpuSeconds.toFixed(1)} | ${repeats > 1 ? '' : '**'}${ratios[i].toFixed(2)}×${repeats > 1 ? '' : '**'} |`,
      `| wall time, s${repeats > 1 ? `, pair ${i + 1}` : ''} | ${p.gradscope.wallSeconds.toFixed(1)} | ${p.pytorch.wallSeconds.toFixed(1)} | ${(p.gradscope.wallSeconds / p.pytorch.wallSeconds).toFixed(2)}× |`,
    ]),
    ...(repeats > 1 ? [`| **CPU time, median of ${repeats} pairs' ratios** | | | **${median(ratios).toFixed(2)}×** |`] : []),
  ];
  console.log(lines.join('\n'));
  for (const p of pairs) delete p.gradscope.results;
  writeFileSync(args.out, JSON.stringify({ createdAt: new Date().toISOString(), protocol: args.protocol, epochs, jobs, pytorchJobs, pytorchThreads: threads, repeats, request, pairs, medianRatio: median(ratios), table: lines }, null, 2));
  console.error(`wrote ${args.out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
