// Tensor: a float array with a shape, living on one backend, that may remember the op
// that made it (its tape node) so backward() can walk back through the computation.
// The math lives in ops.ts; these methods are thin, chainable aliases.

import type { Backend, Storage } from './backend';
import { backward as runBackward, type TapeNode } from './autograd';
import { DataRef, track, untrack } from './memory';
import * as ops from './ops';
import { formatShape, sizeOf, type Shape } from './shape';

export type TensorLike = Tensor | number;

export class Tensor {
  readonly shape: readonly number[];
  readonly size: number;
  readonly backend: Backend;
  requiresGrad: boolean;
  /** The accumulated gradient, after backward(), for tensors that require one. */
  grad: Tensor | null = null;
  /** The tape node of the op that made this tensor (null for leaves and after the graph was freed). */
  node: TapeNode | null = null;
  /** Set when backward() freed this tensor's tape node: a second backward() through it is an error. */
  graphFreed = false;
  /** Optional label, shown by trace() and in error messages (parameters are named '0.weight', ...). */
  name: string | undefined;
  private ref: DataRef | null;

  constructor(ref: DataRef, shape: Shape, requiresGrad = false) {
    this.ref = ref;
    this.backend = ref.backend;
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
    this.requiresGrad = requiresGrad;
    if (ref.size !== this.size) {
      throw new Error(`Tensor: storage holds ${ref.size} values but shape ${formatShape(shape)} needs ${this.size}`);
    }
    track(this, ref);
  }

  /** Wrap a freshly made storage (the tensor takes ownership). */
  static fromStorage(backend: Backend, storage: Storage, shape: Shape, requiresGrad = false): Tensor {
    return new Tensor(new DataRef(backend, storage, sizeOf(shape)), shape, requiresGrad);
  }

  /**
   * A new tensor on this tensor's backend that owns a freshly made `storage` (as PyTorch's
   * x.new_tensor: x's device). The engine's lower layers make every tensor from one they
   * were given, so they need not import this class (see untracked.ts).
   */
  newFromStorage(storage: Storage, shape: Shape): Tensor {
    return Tensor.fromStorage(this.backend, storage, shape);
  }

  /** A new tensor of `shape` sharing this tensor's storage; nothing is recorded (reshape records, detach cuts). */
  sharedView(shape: Shape): Tensor {
    return new Tensor(this.dataRef.retain(), shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get disposed(): boolean {
    return this.ref === null;
  }

  /** The backend storage; throws if the tensor was disposed. */
  get storage(): Storage {
    return this.dataRef.storage;
  }

  /** The storage reference, shared by views (sharedView); throws if the tensor was disposed. */
  private get dataRef(): DataRef {
    if (!this.ref) {
      throw new Error(`Tensor ${this.describe()} was disposed and cannot be used`);
    }
    return this.ref;
  }

  describe(): string {
    return `${this.name ? `'${this.name}' ` : ''}${formatShape(this.shape)}`;
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}, ${this.backend.name}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // --- reading back: the only places the engine waits for the device ------------

  /** All values, row-major, as a Float32Array. */
  async toArray(): Promise<Float32Array> {
    const values = await this.backend.read(this.storage, this.size);
    return values instanceof Float32Array ? values : Float32Array.from(values);
  }

  /** Values at the backend's own precision (Float64Array on the float64 CPU backend). */
  async data(): Promise<Float32Array | Float64Array> {
    return this.backend.read(this.storage, this.size);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item() needs a tensor with one element, got shape ${formatShape(this.shape)}`);
    return (await this.backend.read(this.storage, 1))[0];
  }

  /** Nested arrays, like PyTorch's tolist(). */
  async toNested(): Promise<number | unknown[]> {
    const flat = Array.from(await this.data());
    if (this.rank === 0) return flat[0];
    const build = (axis: number, offset: number): unknown[] => {
      const stride = sizeOf(this.shape.slice(axis + 1));
      return Array.from({ length: this.shape[axis] }, (_, i) =>
        axis === this.rank - 1 ? flat[offset + i] : build(axis + 1, offset + i * stride),
      );
    };
    return build(0, 0);
  }

  // --- lifetime -------------------------------------------------------------------

  /** Release the storage now (GPU memory returns to the pool). Safe to call twice. */
  dispose(): void {
    if (!this.ref) return;
    untrack(this);
    this.ref.release();
    this.ref = null;
    // The tape node stays, so a gradient can still flow through this tensor's op to its
    // inputs (a rule that needs the freed values fails, naming the op). The intermediates
    // only that rule needed are freed now rather than left to the GC.
    if (this.node) for (const s of this.node.saved) s.dispose();
  }

  // --- autograd ---------------------------------------------------------------------

  /** Backpropagate from this tensor: a scalar, or any shape with an explicit upstream gradient. */
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    runBackward(this, gradient, options);
  }

  /** The same values, cut from the graph. Shares storage. */
  detach(): Tensor {
    return ops.detach(this);
  }

  // --- ops (see ops.ts for the math and the gradient rules) --------------------------

  add(other: TensorLike): Tensor { return ops.add(this, other); }
  sub(other: TensorLike): Tensor { return ops.sub(this, other); }
  mul(other: TensorLike): Tensor { return ops.mul(this, other); }
  div(other: TensorLike): Tensor { return ops.div(this, other); }
  neg(): Tensor { return ops.neg(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  abs(): Tensor { return ops.abs(this); }
  square(): Tensor { return ops.pow(this, 2); }
  pow(exponent: number): Tensor { return ops.pow(this, exponent); }
  clamp(min: number, max: number): Tensor { return ops.clamp(this, min, max); }
  maximum(other: TensorLike): Tensor { return ops.maximum(this, other); }
  minimum(other: TensorLike): Tensor { return ops.minimum(this, other); }
  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }
  transpose(dim0 = 0, dim1 = 1): Tensor { return ops.transpose(this, dim0, dim1); }
  get T(): Tensor { return ops.transpose(this, 0, 1); }
  reshape(shape: Shape): Tensor { return ops.reshape(this, shape); }
  flatten(): Tensor { return ops.reshape(this, [this.size]); }
  sum(axis?: number, keepdim = false): Tensor { return ops.sum(this, axis, keepdim); }
  mean(axis?: number, keepdim = false): Tensor { return ops.mean(this, axis, keepdim); }
  max(axis?: number, keepdim = false): Tensor { return ops.max(this, axis, keepdim); }
  min(axis?: number, keepdim = false): Tensor { return ops.min(this, axis, keepdim); }
  argmax(axis = -1): Tensor { return ops.argmax(this, axis); }
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return ops.logSoftmax(this, axis); }
  relu(): Tensor { return ops.activationByName(this, 'relu'); }
  tanh(): Tensor { return ops.activationByName(this, 'tanh'); }
  sigmoid(): Tensor { return ops.activationByName(this, 'sigmoid'); }
  clone(): Tensor { return ops.clone(this); }
}
