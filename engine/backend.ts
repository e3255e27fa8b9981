// The Backend interface: the ONE seam between the math (engine/ops.ts, the tape) and
// the hardware. A backend owns storage (an opaque handle: a Float32Array on the CPU,
// a pooled GPUBuffer on WebGPU) and runs kernels on it. It never sees a Tensor or the
// tape; ops never ask which backend they run on.
//
// Every method that returns Storage enqueues work and returns at once; `read` is the
// only place anything waits for the device.
//
// What only some backends can do (compile WGSL, report a lost device, tell which
// kernels they dispatch, hand over host memory without a wait) is an optional member
// of this interface, typed here: callers test for it, never cast past it.

import type { MatmulVariant } from '../kernels/matmul';
import type { ActivationParamLayout, ActivationSpec } from './activation-spec';
import type { Shape } from './shape';

/** An opaque handle to `size` numbers held by a backend. */
export type Storage = object;

export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'abs'
  | 'sign'
  /** x^a (args: [a]) */
  | 'pow'
  /** min(max(x, lo), hi) (args: [lo, hi]) */
  | 'clamp'
  /** a·x + b (args: [a, b]): scalar add, sub, mul, div. */
  | 'affine';

export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'maximum'
  | 'minimum'
  /** comparisons give 1 or 0 */
  | 'eq'
  | 'gt';

export type ReduceOp = 'sum' | 'max' | 'min';

/** An activation as a backend runs it: the spec plus its parameter layout. */
export interface ActivationKernelArgs {
  spec: ActivationSpec;
  layout: readonly ActivationParamLayout[];
  /** One storage per parameter, in layout order. */
  params: readonly Storage[];
}

/** A place in an activation's WGSL: the spec field and line there, or a generated line. */
export interface ActivationWgslPlace {
  /** The spec field ('f', 'df', 'helpers', 'dparams.NAME'), or null for a line the generator wrote. */
  field: string | null;
  /** 1-based within the field (within the generated WGSL when field is null); 0 when unknown. */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
}

/** A compiler error in an activation's WGSL, where the spec's own text has it. */
export interface ActivationCompileMessage extends ActivationWgslPlace {
  message: string;
  /** The compiler's notes on it ("'load_a' previously declared here"), located the same way. */
  notes?: (ActivationWgslPlace & { message: string })[];
}

/** The device a backend runs on, where there is one to lose (WebGPU). */
export interface DeviceState {
  /** The device was lost: the backend fails every operation, and setBackend() makes a new one. */
  readonly lost: boolean;
  /** A software adapter (SwiftShader) running shaders on the CPU: 'auto' times it against the CPU backend. */
  readonly isFallbackAdapter: boolean;
}

/** Told of each kernel a backend dispatches: its name and its workgroup counts (x, y, z). */
export type DispatchListener = (kernel: string, workgroups: readonly number[]) => void;

export interface SgdOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  /** torch.optim.SGD sets the buffer to the gradient itself on the first step. */
  firstStep: boolean;
}

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW-style decoupled decay instead of L2 added to the gradient. */
  decoupledWeightDecay: boolean;
  /** 1-based step count, for bias correction. */
  step: number;
}

export interface Backend {
  /** 'cpu', 'cpu-f64' or 'webgpu'. */
  readonly name: string;
  /** Human-readable: what runs the kernels (adapter vendor/architecture on WebGPU). */
  readonly description: string;
  /** The float type of the storage (gradient checks run on a Float64Array backend). */
  readonly dtype: 'float32' | 'float64';

  // --- storage --------------------------------------------------------------
  /** New storage holding a copy of values: the caller may reuse the array at once. */
  upload(values: ArrayLike<number>): Storage;
  fill(size: number, value: number): Storage;
  /** Copy `size` values into a new storage. */
  copy(x: Storage, size: number): Storage;
  /** Overwrite dst with src (same size), in place: optimizers and loadStateDict. */
  assign(dst: Storage, src: Storage, size: number): void;
  /** The only wait: read `size` values back to the host. */
  read(x: Storage, size: number): Promise<Float32Array | Float64Array>;
  /** Give the storage back (to a pool, or to the GC). Using it afterwards is a bug. */
  release(x: Storage): void;

  // --- elementwise ------------------------------------------------------------
  unary(op: UnaryOp, x: Storage, size: number, args?: readonly number[]): Storage;
  /** Broadcasting binary op: a of aShape and b of bShape give outShape. */
  binary(op: BinaryOp, a: Storage, aShape: Shape, b: Storage, bShape: Shape, outShape: Shape): Storage;

  // --- layout ---------------------------------------------------------------
  /** out[i...] = x[perm applied]: output shape is shape permuted by perm. */
  permute(x: Storage, shape: Shape, perm: readonly number[]): Storage;

  // --- reductions -------------------------------------------------------------
  /** Reduce x (viewed as [outer, dim, inner]) over dim, giving [outer, inner]. */
  reduce(op: ReduceOp, x: Storage, outer: number, dim: number, inner: number): Storage;
  /** Index of the largest value along dim of x viewed as [outer, dim, inner] (ties: first). */
  argmax(x: Storage, outer: number, dim: number, inner: number): Storage;
  /** Counts of x's values in `bins` equal bins over [lo, hi]; values outside are clamped into the end bins. */
  histogram(x: Storage, size: number, bins: number, lo: number, hi: number): Storage;

  // --- linear algebra ---------------------------------------------------------
  /** C[m, n] = op(A) · op(B), op = transpose when asked; no transpose is materialised. */
  matmul(a: Storage, b: Storage, m: number, k: number, n: number, transA: boolean, transB: boolean): Storage;

  // --- softmax and losses -----------------------------------------------------
  softmax(x: Storage, outer: number, dim: number, inner: number, log: boolean): Storage;
  /** dX from Y (the softmax or log-softmax output) and dY. */
  softmaxBackward(y: Storage, dy: Storage, outer: number, dim: number, inner: number, log: boolean): Storage;
  /** Per-row cross-entropy of logits [n, c] against integer labels (stored as floats), with label smoothing. */
  crossEntropy(logits: Storage, labels: Storage, n: number, c: number, smoothing: number): Storage;
  /** dLogits = g[row] · (softmax(logits) - target), target smoothed as PyTorch does. */
  crossEntropyBackward(logits: Storage, labels: Storage, gradRows: Storage, n: number, c: number, smoothing: number): Storage;

  // --- activations ------------------------------------------------------------
  /** y = f(x) over `size` elements with `channels` as the last axis. */
  activation(act: ActivationKernelArgs, x: Storage, size: number, channels: number): Storage;
  /**
   * dX = dY ⊙ f'(x) (x and/or y as the spec's derivativeUses needs), plus ∂L/∂param
   * for each trainable parameter (null for the others) and, when asked, the column
   * sums of dX (the bias gradient of a fused linear layer).
   */
  activationBackward(
    act: ActivationKernelArgs,
    x: Storage | null,
    y: Storage | null,
    dy: Storage,
    size: number,
    channels: number,
    withColumnSums: boolean,
  ): { dx: Storage; dparams: (Storage | null)[]; columnSums: Storage | null };
  /**
   * The fused linear forward: Y = act(X·Wᵀ + b) for X [m, k], W [n, k], b [n] or null,
   * act null for identity. Returns Z = X·Wᵀ + b as well only when keepZ.
   */
  linear(
    x: Storage,
    w: Storage,
    b: Storage | null,
    act: ActivationKernelArgs | null,
    m: number,
    k: number,
    n: number,
    keepZ: boolean,
  ): { y: Storage; z: Storage | null };

  // --- optimizers, in place -----------------------------------------------------
  /** torch.optim.SGD's update of one parameter (velocity null when momentum is 0). */
  sgdStep(param: Storage, grad: Storage, velocity: Storage | null, size: number, o: SgdOptions): void;
  /** torch.optim.Adam's update of one parameter. */
  adamStep(param: Storage, grad: Storage, m: Storage, v: Storage, size: number, o: AdamOptions): void;

  // --- optional capabilities: what only some backends can do ----------------------------
  /** The device behind the backend (WebGPU): lost or not, a software adapter or not. */
  readonly deviceState?: DeviceState;
  /**
   * Tell `listener` of every kernel dispatched from now on, until the returned function
   * is called. gs.trace() attributes them to ops; several listeners may listen at once.
   */
  observeDispatches?(listener: DispatchListener): () => void;
  /**
   * The values of a storage held in host memory, without a copy or a wait (the CPU
   * backends: the typed array itself; detectAnomaly checks them at once). Not to be written.
   */
  hostValues?(x: Storage): Float32Array | Float64Array;
  /**
   * Compile the kernel generated for an activation spec (kernels/activation.ts) and
   * return the compiler's errors, each traced back to the spec field and the line there
   * (empty when it compiles). gs.activations.register() calls it on its validation device.
   */
  compileActivation?(spec: ActivationSpec): Promise<ActivationCompileMessage[]>;
  /** The generated source of the latest kernel built under a name ('matmul', 'linear', ...). */
  wgslFor?(kernelName: string): string | undefined;
  /** Every kernel name built so far, with the WGSL last built for it (gs.debug.wgsl). */
  wgslSources?(): ReadonlyMap<string, string>;
  /** The matmul kernel this backend's adapter gets, fused linear layers included (kernels/matmul.ts). */
  readonly matmulVariant?: MatmulVariant;
  /**
   * Release the device once the work submitted to it has finished (a validation device
   * given up after a timeout). The backend is unusable afterwards.
   */
  destroy?(): Promise<void>;

  /** Make pending work visible to `read` (WebGPU: submit the open command buffer). */
  flush(): void;
  /** Bytes held: live (in tensors) and pooled (free for reuse). */
  memory(): { liveBytes: number; pooledBytes: number; liveBuffers: number; pooledBuffers: number };
}
