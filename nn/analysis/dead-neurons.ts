// Dead units: hidden units whose activation is exactly 0 for every sample of a data
// set. Exact and streaming: a per-unit count of non-zero outputs stays on the device
// across batches (float32 counts are exact up to 2^24 samples) and is read once.

import { noGrad } from '../../engine/autograd';
import { formatShape } from '../../engine/shape';
import type { Tensor } from '../../engine/tensor';
import * as untracked from '../../engine/untracked';
import { Activation } from '../activation';
import type { Module } from '../module';
import { batchesOf, type Loader } from './loader';
import { requireSequential } from './layers';

export interface DeadLayer {
  name: string;
  activation: string;
  units: number;
  dead: number;
  ratio: number;
  /** Indices of the dead units. */
  deadUnits: number[];
}

export interface DeadNeurons {
  samples: number;
  layers: DeadLayer[];
}

/** Per hidden activation layer (an Activation followed by another layer), its dead units over the loader's data. */
export async function deadNeurons(model: Module, loader: Loader): Promise<DeadNeurons> {
  const seq = requireSequential(model, 'deadNeurons');
  const hidden = new Set(seq.layers.map((m, i) => (m instanceof Activation && i < seq.layers.length - 1 ? i : -1)).filter((i) => i >= 0));
  if (hidden.size === 0) throw new Error('deadNeurons: the model has no hidden activation layer');
  const alive = new Map<number, Tensor>();
  let samples = 0;
  for await (const { x } of batchesOf(loader, 'deadNeurons')) {
    const made: Tensor[] = [];
    noGrad(() => {
      seq.forwardWithOutputs(x, (i, _m, out) => {
        made.push(out);
        if (!hidden.has(i)) return;
        if (out.rank !== 2) throw new Error(`deadNeurons: layer '${i}' output ${formatShape(out.shape)} is not [batch, units]`);
        const magnitude = out.abs();
        const nonZero = untracked.binary('gt', magnitude, 0);
        const perUnit = nonZero.sum(0);
        magnitude.dispose();
        nonZero.dispose();
        const old = alive.get(i);
        alive.set(i, old ? old.add(perUnit) : perUnit);
        if (old) {
          old.dispose();
          perUnit.dispose();
        }
      });
    });
    samples += x.shape[0];
    for (const t of made) if (t !== x) t.dispose();
  }
  const layers: DeadLayer[] = [];
  for (const i of [...hidden].sort((a, b) => a - b)) {
    const counts = alive.get(i)!;
    const values = await counts.toArray();
    counts.dispose();
    const deadUnits = [...values.keys()].filter((u) => values[u] === 0);
    layers.push({
      name: String(i),
      activation: (seq.layers[i] as Activation).name,
      units: values.length,
      dead: deadUnits.length,
      ratio: deadUnits.length / values.length,
      deadUnits,
    });
  }
  return { samples, layers };
}
