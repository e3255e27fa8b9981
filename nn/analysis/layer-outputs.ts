// The distribution of each layer's output over a data set, streamed batch by batch:
// statistics and a histogram per layer, accumulated on the device.

import { noGrad } from '../../engine/autograd';
import type { Tensor } from '../../engine/tensor';
import type { Module } from '../module';
import { batchesOf, type Loader } from './loader';
import { layerKind, requireSequential } from './layers';
import { RunningStats, type HistogramOptions, type Stats } from './stats';

export interface LayerOutput {
  /** The layer's index in the Sequential (a fused Linear+activation pair reports under the activation's). */
  name: string;
  kind: string;
  /** Output shape without the batch axis. */
  shape: number[];
  stats: Stats;
  /** How many outputs were exactly 0. */
  zeros: number;
  zeroFraction: number;
}

export async function layerOutputs(model: Module, loader: Loader, options: HistogramOptions = {}): Promise<{ samples: number; layers: LayerOutput[] }> {
  const seq = requireSequential(model, 'layerOutputs');
  const running = new Map<number, { stats: RunningStats; shape: number[] }>();
  let samples = 0;
  for await (const { x } of batchesOf(loader, 'layerOutputs')) {
    const outputs: [number, Tensor][] = [];
    noGrad(() => seq.forwardWithOutputs(x, (i, _m, out) => outputs.push([i, out])));
    for (const [i, out] of outputs) {
      let entry = running.get(i);
      if (!entry) {
        entry = { stats: new RunningStats(options), shape: out.shape.slice(1) };
        running.set(i, entry);
      }
      await entry.stats.add(out);
    }
    samples += x.shape[0];
    for (const [, out] of outputs) if (out !== x) out.dispose();
  }
  const layers: LayerOutput[] = [];
  for (const [i, entry] of [...running].sort((a, b) => a[0] - b[0])) {
    const { zeros, ...stats } = await entry.stats.result();
    layers.push({ name: String(i), kind: layerKind(seq.layers[i]), shape: entry.shape, stats, zeros, zeroFraction: zeros / stats.count });
  }
  return { samples, layers };
}
