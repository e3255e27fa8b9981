// What a comparison measures at initialisation and per epoch is measured then, not after
// training: the dead units at initialisation are those of a freshly built network with the
// run's seed (gs.analysis.deadNeurons over the training set), the protocol's untrained
// network too; --grad-every-epoch's last statistics are those after training.
import { beforeAll, describe, expect, it } from 'vitest';
import { runComparison } from '../../experiment/compare';
import { loadDataset } from '../../experiment/datasets';
import { DEFAULTS, parseActivations, type CompareOptions } from '../../experiment/options';
import type { ComparisonResult } from '../../experiment/results';
import { buildNetwork, deadUnitsOver, layerSizes } from '../../experiment/run';

const options: CompareOptions = {
  ...DEFAULTS,
  dataset: 'moons',
  activations: parseActivations('relu'),
  trainSize: 300,
  testSize: 100,
  epochs: 3,
  hidden: [16, 16, 16],
  batch: 30,
  lr: 0.1,
  device: 'cpu',
  gradEveryEpoch: true,
  deadAtInitNetwork: { activation: 'relu', hidden: [48, 24, 24, 12] },
};

let result: ComparisonResult;
beforeAll(async () => {
  result = await runComparison(options);
}, 120_000);

describe('measures at initialisation', () => {
  it('counts dead units of the untrained network, over the training set', async () => {
    const dataset = await loadDataset({ name: 'moons', trainSize: 300, testSize: 100, seed: options.seed, normalize: options.normalize });
    const fresh = buildNetwork(layerSizes(options, dataset), 'relu', options);
    const expected = await deadUnitsOver(fresh, dataset.train);
    fresh.dispose();
    const relu = result.runs.find((r) => r.activation === 'relu')!;
    expect(relu.deadLayersStart).toEqual(expected);
    expect(relu.deadLayersStart!.map((l) => l.units)).toEqual([16, 16, 16]);
    // The baseline has no activation: no unit can die.
    expect(result.runs.find((r) => r.activation === 'none')!.deadLayersStart).toEqual([]);

    const big = buildNetwork([2, 48, 24, 24, 12, 2], 'relu', options);
    const bigExpected = await deadUnitsOver(big, dataset.train);
    big.dispose();
    expect(result.deadAtInit).toEqual({ label: 'relu [48, 24, 24, 12]', activation: 'relu', layers: [2, 48, 24, 24, 12, 2], samples: 300, deadLayers: bigExpected });
  });

  it('records gradient statistics at every epoch end, the last equal to those after training', () => {
    for (const run of result.runs) {
      expect(run.diverged).toBe(false);
      expect(run.gradients.epochs).toHaveLength(3);
      expect(run.gradients.epochs![2]).toEqual(run.gradients.end);
      expect(run.gradients.epochs![0]).not.toEqual(run.gradients.start);
    }
  });
});
