// The order `compare --jobs` starts runs in (experiment/start-order.ts): each label's step
// timed once on one batch, the costliest first, ties in the tasks' order, nothing left
// allocated. STAF with the chapter's 25 terms costs ~2× a ReLU step on SimpleNetwork
// (bench/activation-step.ts), far beyond the timing's noise, so it must come first.
import { beforeAll, expect, it } from 'vitest';
import * as gs from '../../index';
import type { RunContext } from '../../experiment/compare';
import { loadDataset } from '../../experiment/datasets';
import { DEFAULTS, parseActivations, type CompareOptions } from '../../experiment/options';
import type { RunTask } from '../../experiment/run';
import { longestFirst, stepMilliseconds } from '../../experiment/start-order';

const options: CompareOptions = {
  ...DEFAULTS,
  dataset: 'moons',
  activations: parseActivations('relu,staf:terms=25,init=normal'),
  trainSize: 300,
  testSize: 100,
  hidden: [256, 192, 128, 64],
  batch: 128,
  shareActivation: true,
  device: 'cpu',
};
let context: RunContext;

beforeAll(async () => {
  await gs.setBackend('cpu');
  const datasetRequest = { name: options.dataset, trainSize: options.trainSize, testSize: options.testSize, seed: options.seed, normalize: options.normalize };
  context = { options, backendName: 'cpu', dataset: await loadDataset(datasetRequest), datasetRequest };
});

/** [relu, staf, none] as runs of each seed, in that order. */
function tasks(seeds: number[]): RunTask[] {
  const choices = [...options.activations, { activation: 'none', params: {}, label: 'none' }];
  const all = seeds.flatMap((seed) => choices.map((choice) => ({ ...choice, seed })));
  return all.map((task, index) => ({ ...task, index, total: all.length }));
}

it("times a run's step on one batch, and frees what it built", async () => {
  const before = gs.memory();
  const [relu, staf] = tasks([1]);
  const ms = await stepMilliseconds(relu, context);
  expect(ms).toBeGreaterThan(0);
  expect(ms).toBeLessThan(10_000);
  expect(await stepMilliseconds(staf, context)).toBeGreaterThan(ms);
  const after = gs.memory();
  expect(after.liveBytes).toBe(before.liveBytes);
  expect(after.liveBuffers).toBe(before.liveBuffers);
});

it('starts the costliest first: both STAF(25) runs, then the others, each label in the tasks order', async () => {
  const all = tasks([1, 2]); // relu 1, staf 1, none 1, relu 2, staf 2, none 2
  const order = await longestFirst(all, context);
  expect(order.slice(0, 2)).toEqual([1, 4]);
  expect([...order].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  // The runs of one label are timed once, so they cost the same and keep their order.
  expect(order.indexOf(0)).toBeLessThan(order.indexOf(3));
  expect(order.indexOf(2)).toBeLessThan(order.indexOf(5));
});
