// The small training loop the pages share: one SGD step on a batch, per-layer gradient
// norms, dead units, and accuracy. Kept here, in plain sight, because
// the pages are where people read how a step works.
import * as gs from '../../index';
import type { Tensor } from '../../index';

type Sequential = InstanceType<typeof gs.nn.Sequential>;
type Optimizer = { zeroGrad(): void; step(): void };

/** One step: forward, cross-entropy, backward, update. Resolves to nothing; returns the loss tensor (caller reads/disposes). */
export function trainStep(model: Sequential, optimizer: Optimizer, x: Tensor, labels: Int32Array): Tensor {
  optimizer.zeroGrad();
  const logits = model.forward(x);
  const loss = gs.losses.crossEntropy(logits, labels);
  loss.backward();
  optimizer.step();
  logits.dispose();
  return loss;
}

/** ‖∂L/∂W‖ of each Linear weight after a backward (names as in stateDict: '0.weight', ...). */
export async function weightGradNorms(model: Sequential): Promise<{ name: string; norm: number }[]> {
  const weights = model.namedParameters().filter(([name, p]) => name.endsWith('weight') && p.grad);
  const squares = weights.map(([, p]) => p.grad!.square().sum());
  const values = await Promise.all(squares.map((s) => s.item()));
  gs.dispose(...squares);
  return weights.map(([name], i) => ({ name, norm: Math.sqrt(values[i]) }));
}

/**
 * For each hidden activation layer, its dead units on the inputs x: those whose output
 * is exactly 0 for every row (gs.analysis.deadNeurons, the one definition).
 */
export async function deadUnits(model: Sequential, x: Tensor): Promise<{ layer: string; dead: number; units: number }[]> {
  const { layers } = await gs.analysis.deadNeurons(model, [{ x }]);
  return layers.map((l) => ({ layer: `${l.name} (${l.activation})`, dead: l.dead, units: l.units }));
}

/** Fraction of rows whose largest logit is the label. */
export function accuracyOf(logits: Float32Array, labels: Int32Array, classes: number): number {
  let correct = 0;
  for (let r = 0; r < labels.length; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[r * classes + c] > logits[r * classes + best]) best = c;
    if (best === labels[r]) correct++;
  }
  return correct / labels.length;
}
