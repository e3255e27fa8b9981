// `gradscope compare --jobs N`: runs trained in worker threads give exactly the results
// of a sequential run (only the timings differ), the plain-text progress stays readable
// when runs interleave, and a run that fails in a worker fails the command naming the
// activation, without leaving workers behind. Worker threads cannot load the TypeScript
// sources, so the command is bundled from the current sources first (./bundle).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunContext } from '../../experiment/compare';
import type { ComparisonResult, RunResult } from '../../experiment/results';
import type { RunTask } from '../../experiment/run';
import { DEFAULTS, type CompareOptions } from '../../experiment/options';
import { main } from '../../cli/program';
import { workerPool } from '../../cli/worker-pool';
import { bundleCli } from './bundle';

const work = mkdtempSync(join(tmpdir(), 'gradscope-jobs-test-'));
let bundle: string;
let removeBundle = () => {};

beforeAll(async () => {
  const built = await bundleCli();
  bundle = built.path;
  removeBundle = built.remove;
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeBundle();
});

// 64,32 at batch 32: the second layer's products are large enough for the CPU backend's
// WebAssembly SIMD matmul, the first layer's stay on its JS loops; both run in the workers.
const moons = ['--dataset', 'moons', '--activations', 'relu,tanh,gelu', '--train-size', '600', '--test-size', '300', '--epochs', '3', '--hidden', '64,32', '--batch', '32', '--device', 'cpu', '--no-png'];

function compareCommand(args: string[]) {
  const out = join(work, `out-${Math.random().toString(36).slice(2)}`);
  const run = spawnSync(process.execPath, [bundle, 'compare', ...args, '--out', out, '--json'], { encoding: 'utf8', timeout: 120_000 });
  return { ...run, out, result: run.status === 0 ? (JSON.parse(run.stdout) as ComparisonResult) : undefined };
}

/** A run without what depends on the clock. */
function untimed(run: RunResult): Omit<RunResult, 'totalSeconds' | 'secondsPerEpoch' | 'samplesPerSecond'> {
  const { totalSeconds, secondsPerEpoch, samplesPerSecond, ...rest } = run;
  for (const t of [totalSeconds, secondsPerEpoch, samplesPerSecond]) expect(t).toBeGreaterThan(0);
  return rest;
}

describe('gradscope compare --jobs: the built command', () => {
  let sequential: ReturnType<typeof compareCommand>;
  let parallel: ReturnType<typeof compareCommand>;

  it('--jobs 2 gives the results of --jobs 1: accuracies, every curve, step losses, dead units, gradient statistics', () => {
    sequential = compareCommand([...moons, '--jobs', '1']);
    parallel = compareCommand([...moons, '--jobs', '2']);
    expect(sequential.stderr).not.toMatch(/failed/);
    expect(parallel.stderr).not.toMatch(/failed/);
    expect(sequential.status).toBe(0);
    expect(parallel.status).toBe(0);
    const a = sequential.result!;
    const b = parallel.result!;
    expect(a.options.jobs).toBe(1);
    expect(b.options.jobs).toBe(2);
    expect(b.runs.map((r) => r.activation)).toEqual(a.runs.map((r) => r.activation));
    expect(b.network).toEqual(a.network);
    expect(a.network.activationsCompared).toEqual(['relu', 'tanh', 'gelu', 'none']);
    for (let i = 0; i < a.runs.length; i++) {
      const [s, p] = [a.runs[i], b.runs[i]];
      // The figures people read, one by one (exact: the same float32 arithmetic in the same order)...
      expect(p.testAccuracy).toBe(s.testAccuracy);
      expect(p.curves.stepLoss).toEqual(s.curves.stepLoss);
      expect(p.curves.stepLoss).toHaveLength(3 * Math.ceil(600 / 32));
      expect(p.curves.testLoss).toEqual(s.curves.testLoss);
      expect(p.curves.trainLoss).toEqual(s.curves.trainLoss);
      expect(p.deadLayers).toEqual(s.deadLayers);
      expect(p.gradients).toEqual(s.gradients);
      // ...and everything else but the timings.
      expect(untimed(p)).toEqual(untimed(s));
    }
    // The runs really learned something different from each other (the comparison is not vacuous).
    expect(new Set(a.runs.map((r) => r.curves.stepLoss[10])).size).toBe(4);
    // Identical activation figures: they are drawn in the main thread either way.
    expect(b.activations).toEqual(a.activations);
  });

  it('progress without a terminal: one line per epoch per activation, prefixed with it, however the runs interleave', () => {
    for (const run of [sequential, parallel]) {
      const lines = run.stderr.split('\n');
      for (const activation of ['relu', 'tanh', 'gelu', 'none']) {
        for (let epoch = 1; epoch <= 3; epoch++) {
          expect(lines.filter((l) => l.startsWith(`  ${activation} epoch ${epoch}: train loss `))).toHaveLength(1);
        }
        expect(lines.filter((l) => l.startsWith(`  ${activation}: test accuracy `))).toHaveLength(1);
        expect(lines.filter((l) => new RegExp(`^\\[\\d/4\\] ${activation}: 3 epoch\\(s\\) of 19 batches$`).test(l))).toHaveLength(1);
      }
    }
    expect(parallel.stderr).toContain('runs: relu, tanh, gelu, none (2 at a time, in worker threads)');
  });

  it('says under the table (and in results.json) that the times were shared', () => {
    const note = 'times: 2 runs trained at once on shared CPU cores (--jobs 2); compare them only among the runs of this invocation';
    expect(parallel.stderr).toContain(note); // with --json the table goes to stderr
    expect(sequential.stderr).not.toContain('times:');
  });

  it('--jobs auto: one worker per core, at most one per run', () => {
    const run = compareCommand([...moons, '--epochs', '1', '--jobs', 'auto']);
    expect(run.status).toBe(0);
    expect(run.result!.options.jobs).toBe(Math.min(availableParallelism(), 4));
  });

  it('on WebGPU too: each worker opens its own device, and the results are those of --jobs 1', () => {
    // WebGPU always exists here (Dawn, on SwiftShader without a GPU): a missing one fails the test.
    const webgpu = [...moons, '--device', 'webgpu', '--activations', 'relu,tanh', '--train-size', '200', '--test-size', '100', '--epochs', '2'];
    const one = compareCommand([...webgpu, '--jobs', '1']);
    expect(one.status, one.stderr).toBe(0);
    const two = compareCommand([...webgpu, '--jobs', '2']);
    expect(two.status).toBe(0);
    expect(two.result!.backend).toMatch(/^webgpu/);
    expect(two.result!.runs.map(untimed)).toEqual(one.result!.runs.map(untimed));
  });
});

describe('gradscope compare --register FILE: user activations in the command, its workers and the report', () => {
  // An ES module whose default export is a list: a hand-written spec (Squareplus, Barron 2021)
  // and the formula form, which the command compiles with fromExpression.
  const file = join(work, 'my-activations.mjs');
  const specs = `export default [
  {
    name: 'squareplus',
    formula: '(x + √(x² + 4)) / 2',
    range: [-4, 4],
    cpu: { f: (x) => (x + Math.sqrt(x * x + 4)) / 2, df: (x) => (1 + x / Math.sqrt(x * x + 4)) / 2 },
    wgsl: { f: 'return (x + sqrt(x * x + 4.0)) / 2.0;', df: 'return (1.0 + x / sqrt(x * x + 4.0)) / 2.0;' },
  },
  { name: 'scaled_tanh', f: 'a * tanh(x)', params: [{ name: 'a', default: 1.7159 }] },
];
`;

  it('--jobs 2 trains the registered activations in its workers with the results of --jobs 1, parameters included', () => {
    writeFileSync(file, specs);
    const args = [...moons, '--epochs', '2', '--register', file, '--activations', 'squareplus,scaled_tanh:a=1.5,relu'];
    const one = compareCommand([...args, '--jobs', '1']);
    const two = compareCommand([...args, '--jobs', '2']);
    expect(one.stderr).not.toMatch(/failed/);
    expect([one.status, two.status]).toEqual([0, 0]);
    const [a, b] = [one.result!, two.result!];
    expect(a.network.activationsCompared).toEqual(['squareplus', 'scaled_tanh(a=1.5)', 'relu', 'none']);
    expect(a.options.register).toEqual([file]);
    expect(b.runs.map(untimed)).toEqual(a.runs.map(untimed));
    // The report draws them like the built-ins: f of squareplus at x, and scaled_tanh with its a = 1.5.
    const curve = (label: string) => b.activations.find((fig) => fig.name === label)!.curve;
    const sq = curve('squareplus');
    expect(sq.f[0]).toBeCloseTo((sq.x[0] + Math.sqrt(sq.x[0] ** 2 + 4)) / 2, 5);
    const st = curve('scaled_tanh(a=1.5)');
    expect(st.f[0]).toBeCloseTo(1.5 * Math.tanh(st.x[0]), 5);
    expect(readFileSync(join(two.out, 'report.html'), 'utf8')).toContain('data-label="scaled_tanh(a=1.5)"');
  });

  it('a file that is not there, or exports no activation, is refused naming it (exit 2)', () => {
    const missing = compareCommand([...moons, '--register', join(work, 'nowhere.mjs')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`gradscope compare: --register ${join(work, 'nowhere.mjs')}: cannot load it as an ES module`);
    const empty = join(work, 'empty.mjs');
    writeFileSync(empty, 'export const x = 1;\n');
    const none = compareCommand([...moons, '--register', empty]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain(`gradscope compare: --register ${empty}: the module has no default export`);
  });
});

describe('gradscope compare --jobs: main() from the sources', () => {
  async function runMain(args: string[], workerEntry?: URL) {
    let stderr = '';
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      return { code: await main(args, { workerEntry }), stderr };
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
  }

  it('trains in the worker entry it is given and writes results.json with options.jobs', async () => {
    const out = join(work, 'in-process');
    const { code, stderr } = await runMain(['compare', ...moons, '--epochs', '1', '--jobs', '3', '--out', out], pathToFileURL(bundle));
    expect(stderr).not.toMatch(/failed/);
    expect(code).toBe(0);
    const saved = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ComparisonResult;
    expect(saved.options.jobs).toBe(3);
    expect(saved.runs.map((r) => r.activation).sort()).toEqual(['gelu', 'none', 'relu', 'tanh']);
  });

  it('a run that fails in a worker fails the command: exit 1, one line naming the activation, nothing written', async () => {
    // A failure no check before training can foresee (a network too large to allocate, which
    // this test used before, is now refused up front): the scripted worker fails 'tanh'.
    const out = join(work, 'worker-fails');
    process.env.SCRIPTED_WORKER_FAILS = 'tanh';
    const scripted = pathToFileURL(join(process.cwd(), 'tests', 'cli', 'fixtures', 'scripted-run-worker.mjs'));
    const { code, stderr } = await runMain(['compare', ...moons, '--jobs', '2', '--out', out], scripted).finally(() => delete process.env.SCRIPTED_WORKER_FAILS);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n').at(-1)).toMatch(/^gradscope compare failed: the 'tanh' run failed \(worker [12] of 2\): out of luck$/);
    expect(existsSync(out)).toBe(false);
  });

  it('without a worker entry (the TypeScript sources), --jobs 2 says it needs the built command', async () => {
    const { code, stderr } = await runMain(['compare', ...moons, '--jobs', '2', '--out', join(work, 'never')]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('gradscope compare failed: --jobs above 1 needs the built command (npm run build, then node dist/cli.js): worker threads cannot load the TypeScript sources');
  });

  const badJobs = ['0', '-1', '1.5', 'x', ''];
  for (const value of badJobs) {
    it(`--jobs '${value}' → exit 2 and one line naming the valid values`, async () => {
      const { code, stderr } = await runMain(['compare', ...moons, '--jobs', value, '--out', join(work, 'never')]);
      expect(code).toBe(2);
      expect(stderr.trim()).toBe(`gradscope compare: --jobs: expected a positive integer or 'auto', got '${value}'`);
    });
  }
});

describe('the worker pool: failures', () => {
  const scripted = pathToFileURL(join(process.cwd(), 'tests', 'cli', 'fixtures', 'scripted-run-worker.mjs'));
  const context = { options: { ...DEFAULTS, activations: [] } as CompareOptions, backendName: 'cpu', datasetRequest: { name: 'moons', trainSize: 1, testSize: 1, seed: 1 } } as unknown as RunContext;
  const tasks = (names: string[]): RunTask[] => names.map((activation, index) => ({ activation, params: {}, label: activation, seed: 1, index, total: names.length }));

  it('gathers the results in the order of the runs, whichever worker finished first', async () => {
    const ended: string[] = [];
    const results = await workerPool({ jobs: 3, entry: scripted })(tasks(['a', 'b', 'c', 'd', 'e']), context, { onRunEnd: (r) => ended.push(r.activation) });
    expect(results.map((r) => r.activation)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(ended.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  const failures: [string, RegExp][] = [
    ['throws', /^the 'throws' run failed \(worker 2 of 3\): out of luck$/],
    ['uncaught', /^the 'uncaught' run failed \(worker 2 of 3\): thrown outside the handler$/],
    ['exits', /^the 'exits' run failed \(worker 2 of 3\): the worker thread exited \(code 3\) before finishing$/],
  ];
  for (const [how, message] of failures) {
    it(`a worker whose run ${how} fails the pool naming the activation, and the other workers are terminated`, async () => {
      const heartbeat = join(work, `heartbeat-${how}`);
      process.env.SCRIPTED_WORKER_HEARTBEAT = heartbeat;
      const started = performance.now();
      const error = await workerPool({ jobs: 3, entry: scripted })(tasks(['slow', how, 'slow', 'ok']), context, {}).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(message);
      expect((error as { activation?: string }).activation).toBe(how);
      expect(performance.now() - started).toBeLessThan(10_000);
      // The slow workers stopped: their heartbeat no longer changes.
      await new Promise((r) => setTimeout(r, 100));
      const last = readFileSync(heartbeat, 'utf8');
      await new Promise((r) => setTimeout(r, 200));
      expect(readFileSync(heartbeat, 'utf8')).toBe(last);
    });
  }
});
