// The CPU backend: the readable reference every other backend is checked against.
// Storage is a plain typed array; every kernel is a commented loop. The same class
// with Float64Array is the float64 path that gradient checks run on. Activations run
// the loops below on float64 (the reference); on float32 they run the loops generated
// per spec in cpu-activations.ts, tested against these. On float32 the matmul
// (cpu-matmul.ts) and the optimizer updates (cpu-optimizers.ts) run WebAssembly SIMD
// kernels where the engine has them, the JS loops being their reference; binary ops run
// loops compiled per op (cpu-binary-loops.ts). Released arrays are reused by length
// (host-array-pool.ts). float32 arrays live in the WebAssembly heap where there is one
// (wasm/wasm-heap.ts: Node, a cross-origin isolated page), so those kernels read and
// write them in place; they are ordinary Float32Arrays all the same.

import type { ActivationGradients, ActivationParamValues } from '../activation-spec';
import type {
  ActivationKernelArgs,
  AdamOptions,
  Backend,
  BinaryOp,
  ReduceOp,
  SgdOptions,
  Storage,
  UnaryOp,
} from '../backend';
import { broadcastStrides, sizeOf, stridesOf, type Shape } from '../shape';
import { allocationError } from './allocation-error';
import { binaryLoops } from './cpu-binary-loops';
import { describeCpuMatmul, matmulInto } from './cpu-matmul';
import { HostArrayPool } from './host-array-pool';
import { adamStepInto, sgdStepInto } from './cpu-optimizers';
import { backwardLoop, forwardLoop, linearEpilogueLoop } from './cpu-activations';
import { simdMatmulSupported } from './wasm/simd-matmul';
import { wasmHeap, type WasmHeap } from './wasm/wasm-heap';

type FloatArray = Float32Array | Float64Array;
type FloatArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

/**
 * When a backend is collected (setBackend made another), the heap regions of its pooled
 * arrays go back to the heap: the garbage collector takes the arrays, never their regions.
 * (Its live tensors keep it alive until their DataRefs release them.)
 */
const poolsOfCollectedBackends = new FinalizationRegistry<{ pool: HostArrayPool; heap: WasmHeap }>(({ pool, heap }) =>
  pool.clear((array) => array instanceof Float32Array && heap.releaseFloats(array)),
);

export class CpuBackend implements Backend {
  readonly name: string;
  readonly dtype: 'float32' | 'float64';
  private liveBytes = 0;
  private liveBuffers = 0;
  /** Released arrays, reused by alloc (host-array-pool.ts). */
  private readonly pool = new HostArrayPool();
  /** Where float32 arrays are allocated when the kernels that read it in place exist; null: plain arrays. */
  private readonly heap: WasmHeap | null;

  constructor(private readonly Float: FloatArrayConstructor = Float32Array) {
    this.dtype = Float === Float64Array ? 'float64' : 'float32';
    this.name = this.dtype === 'float64' ? 'cpu-f64' : 'cpu';
    this.heap = this.dtype === 'float32' && simdMatmulSupported() ? wasmHeap() : null;
    if (this.heap) poolsOfCollectedBackends.register(this, { pool: this.pool, heap: this.heap });
  }

  get description(): string {
    // float32 products of 16³ multiply-adds or more run in the WebAssembly SIMD kernel
    // where the engine has SIMD, big ones on several threads (cpu-matmul.ts); everything
    // else is TypeScript loops.
    const matmul = this.dtype === 'float32' ? describeCpuMatmul() : 'TypeScript matmul';
    return `cpu (TypeScript loops, ${matmul}, ${this.dtype})`;
  }

  /**
   * A zeroed array: a released one of the same length from the pool, or a new one,
   * counted only once it exists: a refused one throws here and counts nothing.
   */
  private alloc(size: number): FloatArray {
    return this.allocWith(size, true);
  }

  /**
   * An array the caller writes in full before anything reads it: a pooled one keeps its
   * old values (a new one is zero anyway). Only for outputs whose every element the
   * kernel below stores.
   */
  private allocForOutput(size: number): FloatArray {
    return this.allocWith(size, false);
  }

  private allocWith(size: number, zeroed: boolean): FloatArray {
    const bytes = size * this.Float.BYTES_PER_ELEMENT;
    let out = this.pool.take(size, zeroed);
    if (!out && this.heap) {
      // A reused region keeps its old values; a new one is zero already, but which is which is the heap's business.
      out = this.heap.floats(size);
      if (out && zeroed) out.fill(0);
    }
    if (!out) {
      try {
        out = new this.Float(size);
      } catch (error) {
        throw allocationError(this.name, size, this.dtype, bytes, `the JavaScript engine refused it: ${String(error)}`);
      }
    }
    this.liveBytes += bytes;
    this.liveBuffers++;
    return out;
  }

  private data(s: Storage): FloatArray {
    return s as FloatArray;
  }

  // --- storage ----------------------------------------------------------------

  upload(values: ArrayLike<number>): Storage {
    const out = this.allocForOutput(values.length);
    out.set(values);
    return out;
  }

  fill(size: number, value: number): Storage {
    return this.allocForOutput(size).fill(value);
  }

  copy(x: Storage, size: number): Storage {
    const out = this.allocForOutput(size);
    out.set(this.data(x).subarray(0, size));
    return out;
  }

  assign(dst: Storage, src: Storage, size: number): void {
    this.data(dst).set(this.data(src).subarray(0, size));
  }

  async read(x: Storage, size: number): Promise<Float32Array | Float64Array> {
    return this.data(x).slice(0, size);
  }

  /** The typed array itself: storage here is host memory. */
  hostValues(x: Storage): Float32Array | Float64Array {
    return this.data(x);
  }

  release(x: Storage): void {
    const array = this.data(x);
    if (this.pool.has(array)) return; // released before: counted out already, pooled once
    this.liveBytes -= array.byteLength;
    this.liveBuffers--;
    // Kept for the next array of its length; when the pool is full, left to the garbage
    // collector, its heap region (if it has one) given back to the heap.
    if (!this.pool.put(array) && this.heap && array instanceof Float32Array) this.heap.releaseFloats(array);
  }

  flush(): void {}

  memory() {
    return { liveBytes: this.liveBytes, pooledBytes: this.pool.bytes, liveBuffers: this.liveBuffers, pooledBuffers: this.pool.buffers };
  }

  // --- elementwise ------------------------------------------------------------

  unary(op: UnaryOp, xs: Storage, size: number, args: readonly number[] = []): Storage {
    const x = this.data(xs);
    const out = this.allocForOutput(size);
    const [a = 0, b = 0] = args;
    switch (op) {
      case 'neg': for (let i = 0; i < size; i++) out[i] = -x[i]; break;
      case 'exp': for (let i = 0; i < size; i++) out[i] = Math.exp(x[i]); break;
      case 'log': for (let i = 0; i < size; i++) out[i] = Math.log(x[i]); break;
      case 'sqrt': for (let i = 0; i < size; i++) out[i] = Math.sqrt(x[i]); break;
      case 'abs': for (let i = 0; i < size; i++) out[i] = Math.abs(x[i]); break;
      // torch.sign(NaN) = 0: its kernel is (0 < x) − (x < 0).
      case 'sign': for (let i = 0; i < size; i++) out[i] = Number.isNaN(x[i]) ? 0 : Math.sign(x[i]); break;
      // PyTorch takes x^±0.5 as sqrt/rsqrt: NaN at −∞, where Math.pow (like C's pow) gives ∞ or 0.
      case 'pow': for (let i = 0; i < size; i++) out[i] = x[i] === -Infinity && Math.abs(a) === 0.5 ? NaN : Math.pow(x[i], a); break;
      case 'clamp': for (let i = 0; i < size; i++) out[i] = Math.min(Math.max(x[i], a), b); break;
      case 'affine': for (let i = 0; i < size; i++) out[i] = a * x[i] + b; break;
      default: throw new Error(`cpu backend: unknown unary op '${op as string}'`);
    }
    return out;
  }

  binary(op: BinaryOp, as: Storage, aShape: Shape, bs: Storage, bShape: Shape, outShape: Shape): Storage {
    const a = this.data(as);
    const b = this.data(bs);
    const size = sizeOf(outShape);
    const loops = binaryLoops(op);
    const out = this.allocForOutput(size); // every path below writes all `size` elements
    // Fast paths: same shapes, or one side a single value.
    if (a.length === size && b.length === size) loops.same(a, b, out, size);
    else if (b.length === 1 && a.length === size) loops.scalarB(a, b[0], out, size);
    else if (a.length === 1 && b.length === size) loops.scalarA(a[0], b, out, size);
    // General case: a broadcast axis has stride 0 in its input.
    else loops.broadcast(a, broadcastStrides(aShape, outShape), b, broadcastStrides(bShape, outShape), out, outShape);
    return out;
  }

  // --- layout -----------------------------------------------------------------

  permute(xs: Storage, shape: Shape, perm: readonly number[]): Storage {
    const x = this.data(xs);
    const size = sizeOf(shape);
    const out = this.alloc(size);
    const inStrides = stridesOf(shape);
    const outShape = perm.map((p) => shape[p]);
    // Stride in the input for one step along each output axis.
    const step = perm.map((p) => inStrides[p]);
    const rank = outShape.length;
    const index = new Array<number>(rank).fill(0);
    let src = 0;
    for (let i = 0; i < size; i++) {
      out[i] = x[src];
      for (let d = rank - 1; d >= 0; d--) {
        index[d]++;
        src += step[d];
        if (index[d] < outShape[d]) break;
        src -= step[d] * outShape[d];
        index[d] = 0;
      }
    }
    return out;
  }

  // --- reductions ---------------------------------------------------------------

  reduce(op: ReduceOp, xs: Storage, outer: number, dim: number, inner: number): Storage {
    const x = this.data(xs);
    const out = this.alloc(outer * inner);
    const start = op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let acc = start;
        for (let d = 0; d < dim; d++) {
          const v = x[(o * dim + d) * inner + i];
          if (op === 'sum') acc += v;
          else if (op === 'max') acc = v > acc || Number.isNaN(v) ? v : acc;
          else acc = v < acc || Number.isNaN(v) ? v : acc;
        }
        out[o * inner + i] = acc;
      }
    }
    return out;
  }

  argmax(xs: Storage, outer: number, dim: number, inner: number): Storage {
    const x = this.data(xs);
    const out = this.alloc(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let best = 0;
        let bestValue = -Infinity;
        for (let d = 0; d < dim; d++) {
          const v = x[(o * dim + d) * inner + i];
          // NaN counts as the largest value, as in torch.argmax: the first NaN wins.
          if (Number.isNaN(v)) {
            best = d;
            break;
          }
          if (v > bestValue) {
            bestValue = v;
            best = d;
          }
        }
        out[o * inner + i] = best;
      }
    }
    return out;
  }

  histogram(xs: Storage, size: number, bins: number, lo: number, hi: number): Storage {
    const x = this.data(xs);
    const out = this.alloc(bins);
    const scale = hi > lo ? bins / (hi - lo) : 0;
    for (let i = 0; i < size; i++) {
      const v = x[i];
      if (Number.isNaN(v)) continue;
      const bin = Math.min(bins - 1, Math.max(0, Math.floor((v - lo) * scale)));
      out[bin]++;
    }
    return out;
  }

  // --- linear algebra -----------------------------------------------------------

  matmul(as: Storage, bs: Storage, m: number, k: number, n: number, transA: boolean, transB: boolean): Storage {
    // Element (i, p) of op(A) and (p, j) of op(B) are read in place: no transpose is
    // built. The loops (cache panels, register blocking) are in cpu-matmul.ts.
    const c = this.allocForOutput(m * n); // matmulInto overwrites all of it
    matmulInto(this.data(as), this.data(bs), c, m, k, n, transA, transB);
    return c;
  }

  // --- softmax and losses ---------------------------------------------------------

  softmax(xs: Storage, outer: number, dim: number, inner: number, log: boolean): Storage {
    const x = this.data(xs);
    const out = this.alloc(outer * dim * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const at = (d: number) => (o * dim + d) * inner + i;
        const { max, sum } = maxAndShiftedExpSum(x, at(0), dim, inner);
        const logSum = Math.log(sum);
        for (let d = 0; d < dim; d++) {
          const shifted = x[at(d)] - max;
          out[at(d)] = log ? shifted - logSum : Math.exp(shifted) / sum;
        }
      }
    }
    return out;
  }

  softmaxBackward(ys: Storage, dys: Storage, outer: number, dim: number, inner: number, log: boolean): Storage {
    const y = this.data(ys);
    const dy = this.data(dys);
    const dx = this.alloc(outer * dim * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const at = (d: number) => (o * dim + d) * inner + i;
        if (log) {
          // y = log softmax(x): dx = dy - softmax(x) · Σ dy
          let sum = 0;
          for (let d = 0; d < dim; d++) sum += dy[at(d)];
          for (let d = 0; d < dim; d++) dx[at(d)] = dy[at(d)] - Math.exp(y[at(d)]) * sum;
        } else {
          // y = softmax(x): the Jacobian-vector product dx = y ⊙ (dy - Σ dy ⊙ y)
          let dot = 0;
          for (let d = 0; d < dim; d++) dot += dy[at(d)] * y[at(d)];
          for (let d = 0; d < dim; d++) dx[at(d)] = y[at(d)] * (dy[at(d)] - dot);
        }
      }
    }
    return dx;
  }

  crossEntropy(logitsS: Storage, labelsS: Storage, n: number, c: number, smoothing: number): Storage {
    const logits = this.data(logitsS);
    const labels = this.data(labelsS);
    const out = this.alloc(n);
    for (let r = 0; r < n; r++) {
      const row = r * c;
      const { max, sum } = maxAndShiftedExpSum(logits, row, c, 1);
      const logSum = Math.log(sum) + max;
      // target = (1 - ε)·onehot + ε/C, so loss = -Σ target_j · log p_j
      const label = labels[r];
      let meanLogP = 0;
      for (let j = 0; j < c; j++) meanLogP += logits[row + j] - logSum;
      meanLogP /= c;
      const logPLabel = logits[row + label] - logSum;
      // Without smoothing only the label's log p counts, as in PyTorch's nll_loss: a −∞
      // logit elsewhere must not turn 0·(−∞) into NaN.
      out[r] = smoothing === 0 ? -logPLabel : -((1 - smoothing) * logPLabel + smoothing * meanLogP);
    }
    return out;
  }

  crossEntropyBackward(logitsS: Storage, labelsS: Storage, gS: Storage, n: number, c: number, smoothing: number): Storage {
    const logits = this.data(logitsS);
    const labels = this.data(labelsS);
    const g = this.data(gS);
    const dx = this.alloc(n * c);
    for (let r = 0; r < n; r++) {
      const row = r * c;
      const { max, sum } = maxAndShiftedExpSum(logits, row, c, 1);
      for (let j = 0; j < c; j++) {
        const p = Math.exp(logits[row + j] - max) / sum;
        const target = (j === labels[r] ? 1 - smoothing : 0) + smoothing / c;
        dx[row + j] = g[r] * (p - target);
      }
    }
    return dx;
  }

  // --- activations --------------------------------------------------------------

  private paramValues(act: ActivationKernelArgs): ActivationParamValues {
    const values: ActivationParamValues = {};
    act.layout.forEach((p, i) => (values[p.name] = this.data(act.params[i])));
    return values;
  }

  /** float32 storage runs the loops generated per spec; float64 the reference loops here. */
  private get generatedLoops(): boolean {
    return this.dtype === 'float32';
  }

  activation(act: ActivationKernelArgs, xs: Storage, size: number, channels: number): Storage {
    const x = this.data(xs);
    const out = this.allocForOutput(size);
    const p = this.paramValues(act);
    if (this.generatedLoops) {
      forwardLoop(act.spec)(x, out, size, channels, p);
      return out;
    }
    const f = act.spec.cpu.f;
    for (let i = 0; i < size; i++) out[i] = f(x[i], p, i % channels);
    return out;
  }

  activationBackward(
    act: ActivationKernelArgs,
    xs: Storage | null,
    ys: Storage | null,
    dys: Storage,
    size: number,
    channels: number,
    withColumnSums: boolean,
  ) {
    const x = xs ? this.data(xs) : null;
    const y = ys ? this.data(ys) : null;
    const dy = this.data(dys);
    const p = this.paramValues(act);
    const dx = this.allocForOutput(size);
    if (this.generatedLoops) {
      const grads: ActivationGradients = {};
      for (const l of act.layout) if (l.trainable) grads[l.name] = new Float64Array(l.length);
      const sums = withColumnSums ? new Float64Array(channels) : null;
      backwardLoop(act.spec, act.layout, !!x, !!y, withColumnSums)(x, y, dy, dx, size, channels, p, grads, sums);
      return {
        dx: dx as Storage,
        dparams: act.layout.map((l) => (l.trainable ? this.upload(grads[l.name]) : null)),
        columnSums: sums ? this.upload(sums) : null,
      };
    }
    const { f, df, dparams } = act.spec.cpu;
    // x is NaN when the forward kept only y (derivativeUses 'output'); y is recomputed when only x was kept.
    const xAt = (i: number) => (x ? x[i] : NaN);
    const yAt = (i: number, ch: number) => (y ? y[i] : f(xAt(i), p, ch));
    for (let i = 0; i < size; i++) {
      const ch = i % channels;
      dx[i] = dy[i] * df(xAt(i), yAt(i, ch), p, ch);
    }
    // ∂L/∂θ[j] = Σ_elements dY · ∂f/∂θ[j]; a per-channel θ only sees its own channel.
    const dparamsOut = act.layout.map((layout) => {
      if (!layout.trainable) return null;
      const rule = dparams?.[layout.name];
      if (!rule) throw new Error(`activation '${act.spec.name}': trainable parameter '${layout.name}' has no cpu.dparams rule`);
      const g = this.alloc(layout.length);
      for (let i = 0; i < size; i++) {
        const ch = i % channels;
        const xi = xAt(i);
        const yi = yAt(i, ch);
        if (layout.perChannel && layout.length > 1) g[ch] += dy[i] * rule(xi, yi, p, ch, ch);
        else for (let j = 0; j < layout.length; j++) g[j] += dy[i] * rule(xi, yi, p, ch, j);
      }
      return g as Storage;
    });
    let columnSums: Storage | null = null;
    if (withColumnSums) columnSums = this.reduce('sum', dx, 1, size / channels, channels);
    return { dx: dx as Storage, dparams: dparamsOut, columnSums };
  }

  linear(
    xs: Storage,
    ws: Storage,
    bs: Storage | null,
    act: ActivationKernelArgs | null,
    m: number,
    k: number,
    n: number,
    keepZ: boolean,
  ) {
    // Z = X · Wᵀ, then one pass adds b and applies f. Without keepZ, Y overwrites Z
    // in place: the layer allocates one buffer.
    const z = this.data(this.matmul(xs, ws, m, k, n, false, true));
    const b = bs ? this.data(bs) : null;
    if (!act) {
      if (b) for (let row = 0; row < m * n; row += n) for (let j = 0; j < n; j++) z[row + j] += b[j];
      return { y: z as Storage, z: keepZ ? this.copy(z, m * n) : null };
    }
    const y = keepZ ? this.allocForOutput(m * n) : z;
    const p = this.paramValues(act);
    if (this.generatedLoops) {
      linearEpilogueLoop(act.spec, !!b, keepZ)(z, b, y, m, n, p);
      return { y: y as Storage, z: keepZ ? (z as Storage) : null };
    }
    const f = act.spec.cpu.f;
    for (let row = 0; row < m * n; row += n) {
      for (let j = 0; j < n; j++) {
        const zv = b ? z[row + j] + b[j] : z[row + j];
        if (keepZ) z[row + j] = zv;
        y[row + j] = f(zv, p, j);
      }
    }
    return { y: y as Storage, z: keepZ ? (z as Storage) : null };
  }

  // --- optimizers -----------------------------------------------------------------

  sgdStep(paramS: Storage, gradS: Storage, velocityS: Storage | null, size: number, o: SgdOptions): void {
    sgdStepInto(this.data(paramS), this.data(gradS), velocityS && this.data(velocityS), size, o);
  }

  adamStep(paramS: Storage, gradS: Storage, mS: Storage, vS: Storage, size: number, o: AdamOptions): void {
    adamStepInto(this.data(paramS), this.data(gradS), this.data(mS), this.data(vS), size, o);
  }
}

/**
 * The max of `count` values starting at `start`, `stride` apart, and Σ exp(v − max):
 * subtracting the max first is what keeps softmax([1000, 1001]) finite.
 */
function maxAndShiftedExpSum(x: FloatArray, start: number, count: number, stride: number): { max: number; sum: number } {
  let max = -Infinity;
  for (let d = 0; d < count; d++) max = Math.max(max, x[start + d * stride]);
  let sum = 0;
  for (let d = 0; d < count; d++) sum += Math.exp(x[start + d * stride] - max);
  return { max, sum };
}

