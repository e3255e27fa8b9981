// A run that cannot fit in memory is refused before anything is loaded or trained, with
// exit status 2 and the estimate, instead of dying of a V8 heap abort minutes later
// (`--dataset moons --train-size 1000000000` did). The estimate is checked against the
// real limit: under a small JavaScript heap, a run it accepts completes and one it
// refuses would not have fitted.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../experiment/datasets';
import { checkMemory, DATASET_SHAPES, estimateMemory } from '../../cli/memory';
import { DATASETS, DEFAULTS, UsageError, type CompareOptions, parseActivations } from '../../experiment/options';
import { bundleCli, type CliBundle } from './bundle';

const work = mkdtempSync(join(tmpdir(), 'gradscope-memory-test-'));
let cli: CliBundle;
beforeAll(async () => {
  cli = await bundleCli();
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  cli?.remove();
});

function compare(args: string[], heapMiB?: number) {
  const out = join(work, `out-${Math.random().toString(36).slice(2)}`);
  const env = { ...process.env, NODE_OPTIONS: heapMiB ? `--max-old-space-size=${heapMiB}` : '' };
  const run = spawnSync(process.execPath, [cli.path, 'compare', ...args, '--device', 'cpu', '--no-png', '--out', out], { encoding: 'utf8', timeout: 180_000, env });
  return { ...run, out };
}

const GB = 1e9;
const moons = (trainSize: number): CompareOptions => ({ ...DEFAULTS, dataset: 'moons', activations: parseActivations('relu'), trainSize, testSize: 1000 });

describe('gradscope compare: memory checked before the run', () => {
  it('refuses --dataset moons --train-size 1000000000 at once, with exit 2 and the estimate in one line', () => {
    const run = compare(['--dataset', 'moons', '--train-size', '1000000000']);
    expect(run.signal).toBeNull();
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gradscope compare: .*needs about [\d.]+ GB/);
    expect(lines[0]).toContain('--train-size');
    expect(existsSync(run.out)).toBe(false);
  });

  it('under a 256 MiB JavaScript heap: refuses the 2-D set that would not fit, and trains the one it accepts', () => {
    const refused = compare(['--dataset', 'moons', '--activations', 'relu', '--train-size', '3000000', '--test-size', '1000', '--epochs', '1', '--hidden', '4', '--batch', '4096'], 256);
    expect(refused.signal).toBeNull();
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/JavaScript heap/);
    const accepted = compare(['--dataset', 'moons', '--activations', 'relu', '--train-size', '600000', '--test-size', '1000', '--epochs', '1', '--hidden', '4', '--batch', '4096'], 256);
    expect(accepted.stderr).not.toMatch(/failed|not enough memory/);
    expect(accepted.status).toBe(0);
    expect(existsSync(join(accepted.out, 'results.json'))).toBe(true);
  });
});

describe('estimateMemory / checkMemory', () => {
  const roomy = { available: 64 * GB, heapLimit: 4 * GB, heapUsed: 0, maxStringLength: 2 ** 29 - 24 };

  it('knows the shape of every data set as gs.data builds it', async () => {
    for (const name of DATASETS) {
      const loaded = await loadDataset({ name, trainSize: 20, testSize: 10, seed: 1, normalize: 'dataset' });
      expect([name, loaded.features, loaded.classes]).toEqual([name, DATASET_SHAPES[name].features, DATASET_SHAPES[name].classes]);
    }
  });

  it('grows with the data, and each worker of --jobs holds its own copy of it', () => {
    const small = estimateMemory(moons(100_000));
    const large = estimateMemory(moons(1_000_000));
    expect(large.parts.data).toBeGreaterThan(9 * small.parts.data);
    expect(large.heapPerThread).toBeGreaterThan(9 * small.heapPerThread - 1e6);
    const parallel = estimateMemory({ ...moons(1_000_000), activations: parseActivations('relu,tanh'), jobs: 2 });
    expect(parallel.parts.data).toBeCloseTo(3 * large.parts.data, -3);
  });

  it('accepts the defaults and the full protocol on an ordinary machine', () => {
    expect(() => checkMemory({ ...DEFAULTS, activations: parseActivations('relu,leaky_relu,gelu,tanh,sigmoid') }, roomy)).not.toThrow();
    expect(() => checkMemory({ ...DEFAULTS, activations: Array.from({ length: 28 }, (_, i) => ({ activation: 'relu', params: { i }, label: `a${i}` })), epochs: 15, jobs: 2 }, { ...roomy, available: 4 * GB })).not.toThrow();
  });

  it('names the flag behind the largest part', () => {
    expect(() => checkMemory({ ...moons(1000), hidden: [100_000, 100_000] }, roomy)).toThrow(/needs about [\d.]+ GB.*--hidden/);
    expect(() => checkMemory(moons(100_000_000), roomy)).toThrow(/--train-size/);
    expect(() => checkMemory(moons(100_000_000), roomy)).toThrow(UsageError);
  });

  it('caps what no run can hold: more step losses than one JavaScript string can record in results.json', () => {
    // 2 runs (relu and the baseline) × 250 epochs × 60,000 steps of one sample.
    expect(() => checkMemory({ ...moons(60_000), batch: 1, epochs: 250 }, roomy)).toThrow(
      /^results\.json would record 30,000,000 step losses \(about [\d.]+ MB of text\), more than one JavaScript string can hold \(536,870,888 characters\); lower --epochs/,
    );
  });
});
