// The chapter's question whether units are dead before any training (001: its 7-layer
// ReLU SimpleNetwork with hidden_shape [2048, 1024, 1024, 512, 512, 256, 128], counted
// by calculate_disabled_neuron over the training set straight after construction): a
// network the protocol names (deadAtInitNetwork), built with the comparison's init and
// seed, counted over the set deadOn names, never trained.

import type { Dataset } from './datasets';
import type { CompareOptions, DeadAtInitNetwork } from './options';
import type { DeadAtInitResult } from './results';
import { buildNetwork, deadUnitsOver } from './run';

export async function deadAtInitialisation(network: DeadAtInitNetwork, options: Pick<CompareOptions, 'init' | 'seed' | 'deadOn'>, dataset: Dataset): Promise<DeadAtInitResult> {
  const layers = [dataset.features, ...network.hidden, dataset.classes];
  const model = buildNetwork(layers, network.activation, { init: options.init, seed: options.seed });
  const rows = options.deadOn === 'train' ? dataset.train : dataset.test;
  try {
    return {
      label: `${network.activation} [${network.hidden.join(', ')}]`,
      activation: network.activation,
      layers,
      samples: rows.length,
      deadLayers: await deadUnitsOver(model, rows),
    };
  } finally {
    model.dispose();
  }
}
