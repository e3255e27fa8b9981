// What the comparison measures on a network besides loss and accuracy: per-layer
// gradient statistics (norms and histograms) on a fixed batch, dead hidden units over a
// data set, and f / f' of an activation on a grid. Each reads back only small summaries.

import { tensor } from '../engine/creation';
import { crossEntropy } from '../engine/ops';
import { noGrad } from '../engine/autograd';
import { tidy } from '../engine/memory';
import type { Tensor } from '../engine/tensor';
import { activation as activationModule } from '../nn/activation';
import { Linear } from '../nn/linear';
import type { Sequential } from '../nn/sequential';

/** Summary of one gradient tensor. */
export interface GradientSummary {
  mean: number;
  std: number;
  meanAbs: number;
  norm: number;
  min: number;
  max: number;
  /** Counts of log10|g| per bin; bins are HISTOGRAM_EDGES (|g| = 0 counts in the first bin). */
  histogram: number[];
}

export interface LayerGradients {
  name: string;
  weight: GradientSummary;
  bias: GradientSummary | null;
}

/** log10|g| bin edges shared by every histogram, so layers and activations compare directly. */
export const HISTOGRAM_EDGES: number[] = Array.from({ length: 31 }, (_, i) => -10 + (i * 10) / 30);

export function summarizeGradient(values: ArrayLike<number>): GradientSummary {
  const n = values.length;
  let sum = 0;
  let sumAbs = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  const bins = HISTOGRAM_EDGES.length - 1;
  const histogram = new Array<number>(bins).fill(0);
  const lo = HISTOGRAM_EDGES[0];
  const width = HISTOGRAM_EDGES[1] - HISTOGRAM_EDGES[0];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    sum += v;
    sumAbs += Math.abs(v);
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
    const l = v === 0 ? lo : Math.log10(Math.abs(v));
    histogram[Math.min(bins - 1, Math.max(0, Math.floor((l - lo) / width)))]++;
  }
  const mean = n > 0 ? sum / n : 0;
  return {
    mean,
    std: n > 0 ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : 0,
    meanAbs: n > 0 ? sumAbs / n : 0,
    norm: Math.sqrt(sumSq),
    min: n > 0 ? min : 0,
    max: n > 0 ? max : 0,
    histogram,
  };
}

/** The Linear layers of a network with their state-dict names ('0', '2', ...), input side first. */
export function linearLayers(model: Sequential): { name: string; layer: Linear }[] {
  return model.layers.flatMap((layer, i) => (layer instanceof Linear ? [{ name: String(i), layer }] : []));
}

/**
 * Gradients of the cross-entropy on one batch, per Linear layer. The parameters'
 * existing gradients are dropped first and after, so training state is not touched.
 */
export async function gradientStats(model: Sequential, x: Tensor, labels: Int32Array): Promise<LayerGradients[]> {
  model.zeroGrad();
  tidy(() => {
    crossEntropy(model.forward(x), labels).backward();
  });
  const layers: LayerGradients[] = [];
  for (const { name, layer } of linearLayers(model)) {
    const weight = summarizeGradient(await layer.weight.grad!.toArray());
    const bias = layer.bias?.grad ? summarizeGradient(await layer.bias.grad.toArray()) : null;
    layers.push({ name, weight, bias });
  }
  model.zeroGrad();
  return layers;
}

/** ‖∂L/∂W‖ of the first layer over that of the last: ≪ 1 means vanishing gradients, ≫ 1 exploding. */
export function inputOutputGradientRatio(layers: readonly LayerGradients[]): number {
  if (layers.length === 0) return NaN;
  const last = layers[layers.length - 1].weight.norm;
  return last > 0 ? layers[0].weight.norm / last : Infinity;
}

export interface LayerDeadUnits {
  name: string;
  units: number;
  dead: number;
  ratio: number;
}

/**
 * Hidden units whose output (after the activation) is exactly 0 for every sample of the
 * data, per hidden layer, streaming over batches. The output layer is not counted.
 */
export async function deadNeurons(model: Sequential, x: Float32Array, features: number, batch: number): Promise<LayerDeadUnits[]> {
  const count = x.length / features;
  const hiddenOutputs = new Map<number, Uint8Array>(); // layer index → "was ever non-zero" per unit
  const hiddenNames = new Map<number, string>();
  for (let start = 0; start < count; start += batch) {
    const rows = Math.min(batch, count - start);
    const outputs: { index: number; t: Tensor }[] = [];
    const input = tensor(x.subarray(start * features, (start + rows) * features), { shape: [rows, features] });
    const last = noGrad(() =>
      model.forwardWithOutputs(input, (index, _module, output) => outputs.push({ index, t: output })),
    ).output;
    // Keep the outputs of every hidden layer: all but the network's final one.
    const finalIndex = outputs[outputs.length - 1]?.index;
    for (const { index, t } of outputs) {
      if (index === finalIndex) continue;
      const units = t.shape[1];
      // A Linear followed by an activation reports the activation's output under the
      // activation's index; a bare Linear (the baseline) reports its own.
      if (!hiddenOutputs.has(index)) {
        hiddenOutputs.set(index, new Uint8Array(units));
        hiddenNames.set(index, String(index));
      }
      const alive = hiddenOutputs.get(index)!;
      const values = await t.toArray();
      for (let i = 0; i < values.length; i++) if (values[i] !== 0) alive[i % units] = 1;
    }
    for (const { t } of outputs) if (t !== last) t.dispose();
    last.dispose();
    input.dispose();
  }
  return [...hiddenOutputs.entries()].map(([index, alive]) => {
    const dead = alive.length - alive.reduce((a, b) => a + b, 0);
    return { name: hiddenNames.get(index)!, units: alive.length, dead, ratio: dead / alive.length };
  });
}

/** Share of all hidden units that are dead. */
export function deadRatio(layers: readonly LayerDeadUnits[]): number {
  const units = layers.reduce((a, l) => a + l.units, 0);
  return units > 0 ? layers.reduce((a, l) => a + l.dead, 0) / units : 0;
}

export interface ActivationCurve {
  x: number[];
  f: number[];
  df: number[];
}

/** f and f' of an activation (with default parameters) on a grid, through its module and autograd. */
export async function activationCurve(name: string, range: readonly [number, number] = [-5, 5], points = 201): Promise<ActivationCurve> {
  const xs = Array.from({ length: points }, (_, i) => range[0] + ((range[1] - range[0]) * i) / (points - 1));
  const input = tensor(Float32Array.from(xs), { shape: [1, points], requiresGrad: true });
  const module = activationModule(name);
  const y = module.forward(input);
  const total = y.sum();
  total.backward();
  const f = Array.from(await y.toArray());
  const df = Array.from(await input.grad!.toArray());
  total.dispose();
  y.dispose();
  input.grad?.dispose();
  input.dispose();
  for (const p of module.parameters()) p.grad?.dispose();
  return { x: xs, f, df };
}
