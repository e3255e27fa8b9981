// The table of every differentiable op and loss, as cases the gradient-check and
// cross-backend tests walk through. A case is a function of its input tensors plus
// the input shapes and the domain the values are drawn from (log and sqrt need
// positive inputs; a target of bceWithLogits lies in [0, 1]).
import * as gs from '../../index';
import type { Tensor } from '../../index';
import { Activation } from '../../nn/activation';
import { float64Backend } from '../../engine/gradcheck';

export type Domain = 'real' | 'positive' | 'unit';

export interface OpCase {
  name: string;
  shapes: number[][];
  fn: (...xs: Tensor[]) => Tensor;
  /** Value domain per input (default 'real'). */
  domains?: Domain[];
}

const act = (name: string) => (gs.activation(name) as Activation).instance;

/** Binary broadcasting ops on same shapes, size-1 dimensions and broadcast pairs. */
const broadcastPairs: [number[], number[]][] = [
  [[3, 4], [3, 4]],
  [[3, 4], [4]],
  [[3, 1], [1, 4]],
  [[2, 3, 4], [3, 1]],
  [[], [2, 3]],
  [[5, 1], [1]],
  [[1, 1], [2, 1, 3]],
];

function binaryCases(name: string, fn: (a: Tensor, b: Tensor) => Tensor, domains?: Domain[]): OpCase[] {
  return broadcastPairs.map(([a, b]) => ({ name: `${name} ${JSON.stringify(a)} ${JSON.stringify(b)}`, shapes: [a, b], fn, domains }));
}

function reductionCases(name: 'sum' | 'mean' | 'max' | 'min'): OpCase[] {
  const out: OpCase[] = [];
  for (const shape of [[3, 4, 5], [3, 1, 4], [6]]) {
    out.push({ name: `${name} all ${JSON.stringify(shape)}`, shapes: [shape], fn: (x) => x[name]() });
    out.push({ name: `${name} all keepdim ${JSON.stringify(shape)}`, shapes: [shape], fn: (x) => gs[name](x, undefined, true) });
    for (let axis = -1; axis < shape.length; axis++) {
      for (const keepdim of [false, true]) {
        out.push({
          name: `${name} axis ${axis} keepdim ${keepdim} ${JSON.stringify(shape)}`,
          shapes: [shape],
          fn: (x) => x[name](axis, keepdim),
        });
      }
    }
  }
  return out;
}

export const OP_CASES: OpCase[] = [
  ...binaryCases('add', (a, b) => a.add(b)),
  ...binaryCases('sub', (a, b) => a.sub(b)),
  ...binaryCases('mul', (a, b) => a.mul(b)),
  ...binaryCases('div', (a, b) => a.div(b), ['real', 'positive']),
  ...binaryCases('maximum', (a, b) => a.maximum(b)),
  ...binaryCases('minimum', (a, b) => a.minimum(b)),
  { name: 'add scalar', shapes: [[2, 3]], fn: (a) => a.add(2.5) },
  { name: 'sub scalar', shapes: [[2, 3]], fn: (a) => a.sub(-1.5) },
  { name: 'mul scalar', shapes: [[2, 3]], fn: (a) => a.mul(-3) },
  { name: 'div scalar', shapes: [[2, 3]], fn: (a) => a.div(4) },
  { name: 'scalar div tensor', shapes: [[2, 3]], fn: (a) => gs.div(2, a), domains: ['positive'] },
  { name: 'scalar sub tensor', shapes: [[2, 3]], fn: (a) => gs.sub(2, a) },
  { name: 'maximum scalar', shapes: [[3, 4]], fn: (a) => a.maximum(0.1) },
  { name: 'minimum scalar', shapes: [[3, 4]], fn: (a) => gs.minimum(0.1, a) },
  { name: 'neg', shapes: [[3, 4]], fn: (x) => x.neg() },
  { name: 'exp', shapes: [[3, 4]], fn: (x) => x.exp() },
  { name: 'log', shapes: [[3, 4]], fn: (x) => x.log(), domains: ['positive'] },
  { name: 'sqrt', shapes: [[3, 4]], fn: (x) => x.sqrt(), domains: ['positive'] },
  { name: 'pow 2', shapes: [[3, 4]], fn: (x) => x.pow(2) },
  { name: 'pow 3', shapes: [[2, 1, 3]], fn: (x) => x.pow(3) },
  { name: 'pow -1.5', shapes: [[3, 4]], fn: (x) => x.pow(-1.5), domains: ['positive'] },
  { name: 'pow 0.5', shapes: [[5]], fn: (x) => x.pow(0.5), domains: ['positive'] },
  { name: 'square', shapes: [[4]], fn: (x) => x.square() },
  { name: 'abs', shapes: [[3, 4]], fn: (x) => x.abs() },
  { name: 'clamp', shapes: [[4, 5]], fn: (x) => x.clamp(-0.5, 0.7) },
  { name: 'clamp size-1', shapes: [[1, 5, 1]], fn: (x) => x.clamp(-0.3, 0.3) },
  { name: 'matmul', shapes: [[3, 4], [4, 5]], fn: (a, b) => a.matmul(b) },
  { name: 'matmul size-1', shapes: [[1, 4], [4, 1]], fn: (a, b) => a.matmul(b) },
  { name: 'matmul outer', shapes: [[3, 1], [1, 2]], fn: (a, b) => a.matmul(b) },
  { name: 'transpose 2-D', shapes: [[3, 4]], fn: (x) => x.transpose() },
  { name: 'transpose 3-D (0, 2)', shapes: [[2, 3, 4]], fn: (x) => x.transpose(0, 2) },
  { name: 'transpose -1 -2', shapes: [[2, 3, 4]], fn: (x) => x.transpose(-1, -2) },
  { name: 'T', shapes: [[2, 5]], fn: (x) => x.T.mul(x.T) },
  { name: 'reshape', shapes: [[3, 4]], fn: (x) => x.reshape([2, 6]).exp() },
  { name: 'reshape -1', shapes: [[2, 3, 4]], fn: (x) => x.reshape([-1, 4]).mul(x.reshape([6, 4])) },
  { name: 'flatten', shapes: [[2, 3]], fn: (x) => x.flatten().pow(2) },
  ...reductionCases('sum'),
  ...reductionCases('mean'),
  ...reductionCases('max'),
  ...reductionCases('min'),
  ...[0, 1, -1].flatMap((axis) => [
    { name: `softmax axis ${axis}`, shapes: [[3, 5]], fn: (x: Tensor) => x.softmax(axis) },
    { name: `logSoftmax axis ${axis}`, shapes: [[3, 5]], fn: (x: Tensor) => x.logSoftmax(axis) },
  ]),
  { name: 'softmax 3-D middle axis', shapes: [[2, 3, 4]], fn: (x) => x.softmax(1) },
  { name: 'logSoftmax size-1 axis', shapes: [[4, 1]], fn: (x) => x.logSoftmax(-1) },
  { name: 'relu', shapes: [[3, 4]], fn: (x) => x.relu() },
  { name: 'tanh', shapes: [[3, 4]], fn: (x) => x.tanh() },
  { name: 'sigmoid', shapes: [[3, 4]], fn: (x) => x.sigmoid() },
  { name: "gs.activation('tanh') module", shapes: [[2, 3]], fn: (x) => gs.activation('tanh').forward(x) },
  { name: "applyActivation sigmoid 3-D", shapes: [[2, 2, 3]], fn: (x) => gs.applyActivation(x, act('sigmoid')) },
  { name: 'linear with bias, no activation', shapes: [[4, 3], [5, 3], [5]], fn: (x, w, b) => gs.linear(x, w, b) },
  { name: 'linear without bias', shapes: [[4, 3], [5, 3]], fn: (x, w) => gs.linear(x, w, null) },
  { name: 'linear + tanh with bias', shapes: [[4, 3], [5, 3], [5]], fn: (x, w, b) => gs.linear(x, w, b, act('tanh')) },
  { name: 'linear + sigmoid without bias', shapes: [[4, 3], [2, 3]], fn: (x, w) => gs.linear(x, w, null, act('sigmoid')) },
  { name: 'linear + relu with bias', shapes: [[6, 4], [3, 4], [3]], fn: (x, w, b) => gs.linear(x, w, b, act('relu')) },
  { name: 'linear batch 1', shapes: [[1, 3], [1, 3], [1]], fn: (x, w, b) => gs.linear(x, w, b, act('tanh')) },
  { name: 'crossEntropy mean', shapes: [[4, 3]], fn: (x) => gs.losses.crossEntropy(x, [0, 2, 1, 2]) },
  { name: 'crossEntropy sum', shapes: [[4, 3]], fn: (x) => gs.losses.crossEntropy(x, new Int32Array([1, 1, 0, 2]), { reduction: 'sum' }) },
  { name: 'crossEntropy none', shapes: [[3, 5]], fn: (x) => gs.losses.crossEntropy(x, [4, 0, 3], { reduction: 'none' }) },
  { name: 'crossEntropy label smoothing 0.1', shapes: [[4, 3]], fn: (x) => gs.losses.crossEntropy(x, [0, 2, 1, 2], { labelSmoothing: 0.1 }) },
  { name: 'crossEntropy label smoothing 1', shapes: [[2, 4]], fn: (x) => gs.losses.crossEntropy(x, [3, 0], { labelSmoothing: 1 }) },
  { name: 'mse', shapes: [[3, 4], [3, 4]], fn: (a, b) => gs.losses.mse(a, b) },
  { name: 'mse sum', shapes: [[5], [5]], fn: (a, b) => gs.losses.mse(a, b, { reduction: 'sum' }) },
  { name: 'bceWithLogits', shapes: [[3, 4], [3, 4]], fn: (a, b) => gs.losses.bceWithLogits(a, b), domains: ['real', 'unit'] },
  { name: 'bceWithLogits none', shapes: [[6], [6]], fn: (a, b) => gs.losses.bceWithLogits(a, b, { reduction: 'none' }), domains: ['real', 'unit'] },
  { name: 'composite: x used 3 times', shapes: [[3, 3]], fn: (x) => x.mul(x).add(x.exp()).sum(0) },
];

/** Deterministic values for a case's inputs (plain numbers, so any backend can take them). */
export function caseValues(c: OpCase, seed: number): number[][] {
  return c.shapes.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const domain = c.domains?.[i] ?? 'real';
    const r = mulberry32(seed * 7919 + i);
    return Array.from({ length: size }, () => {
      const u = r();
      if (domain === 'positive') return 0.5 + 1.5 * u;
      if (domain === 'unit') return u;
      return 4 * u - 2;
    });
  });
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fixed weights that turn any output into a scalar that depends on every element. */
export function projectionWeights(size: number): number[] {
  return Array.from({ length: size }, (_, i) => 0.5 + ((i * 37) % 11) / 11);
}

/**
 * Forward and backward on the current backend: the output values and the gradient
 * of sum(output · projection) for each input. Everything made here is disposed.
 */
export async function forwardBackward(c: OpCase, values: number[][]): Promise<{ out: Float64Array; grads: Float64Array[] }> {
  const xs = values.map((v, i) => gs.tensor(v, { shape: c.shapes[i], requiresGrad: true }));
  const { y, loss } = gs.tidy(() => {
    const y = c.fn(...xs);
    const w = gs.tensor(projectionWeights(y.size), { shape: [...y.shape] });
    const loss = y.mul(w).sum();
    loss.backward();
    return { y, loss };
  });
  const out = Float64Array.from(await y.data());
  const grads = await Promise.all(xs.map(async (x) => Float64Array.from(x.grad ? await x.grad.data() : new Float64Array(x.size))));
  for (const x of xs) {
    x.grad?.dispose();
    x.dispose();
  }
  y.dispose();
  loss.dispose();
  return { out, grads };
}

/** The same computation in float64 on the CPU: the reference. */
export function referenceForwardBackward(c: OpCase, values: number[][]): Promise<{ out: Float64Array; grads: Float64Array[] }> {
  return gs.withBackend(float64Backend(), () => forwardBackward(c, values));
}
