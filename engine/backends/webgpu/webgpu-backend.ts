// The WebGPU backend: every Backend method as a hand-written WGSL compute shader
// (kernels/). Storage is a pooled GPUBuffer. Work is encoded into ONE open command
// encoder and submitted on read()/flush() (or when it grows large); read() is the only
// wait. Errors from the device (loss, uncaptured validation errors, a shader that does
// not compile) are kept and thrown by the next operation: never a hang, never zeros.

import type {
  ActivationCompileMessage,
  ActivationKernelArgs,
  AdamOptions,
  Backend,
  BinaryOp,
  DeviceState,
  DispatchListener,
  ReduceOp,
  SgdOptions,
  Storage,
  UnaryOp,
} from '../../backend';
import { paramLayout, type ActivationSpec } from '../../activation-spec';
import { deviceCheckFor } from '../../activation-device-check';
import { broadcastStrides, sizeOf, stridesOf, type Shape } from '../../shape';
import {
  activationBackwardKernel,
  activationForwardKernel,
  activationKey,
  activationParamTermsKernel,
  locateSpecLine,
  specSectionsIn,
  type ActivationShape,
} from '../../../kernels/activation';
import { binaryKernel, fillKernel, MAX_RANK, permuteKernel, unaryKernel, type BinaryLayout } from '../../../kernels/elementwise';
import {
  chooseMatmulVariant,
  matmulKernel,
  matmulKey,
  matmulWorkgroups,
  type MatmulOptions,
  type MatmulVariant,
  vec4Operands,
} from '../../../kernels/matmul';
import { adamKernel, sgdKernel } from '../../../kernels/optim';
import {
  argmaxKernel,
  histogramCountKernel,
  histogramToFloatKernel,
  reduceKernel,
  reduceStrategy,
} from '../../../kernels/reduce';
import {
  crossEntropyBackwardKernel,
  crossEntropyKernel,
  softmaxBackwardKernel,
  softmaxKernel,
} from '../../../kernels/softmax';
import {
  ELEMENTWISE_WORKGROUP,
  packUniforms,
  spreadWorkgroups,
  type KernelSource,
  type UniformValues,
} from '../../../kernels/wgsl-common';
import { allocationError } from '../allocation-error';
import { BufferPool, type PooledBuffer } from './buffer-pool';
import { BufferUsage, MapMode } from './gpu-constants';
import { compilerMessages, PipelineCache, type CompiledKernel } from './pipeline-cache';
import type { AdapterSummary } from './device';

/** A tensor's storage on the device: a pooled buffer holding `size` float32 values. */
export class GpuStorage {
  released = false;
  constructor(
    readonly pooled: PooledBuffer,
    readonly size: number,
  ) {}
  get buffer(): GPUBuffer {
    return this.pooled.buffer;
  }
}

/** Submit the open encoder after this many dispatches even without a read. */
const MAX_DISPATCHES_PER_SUBMIT = 512;

export interface WebGpuBackendOptions {
  debugWgsl?: boolean;
  /** Force a matmul kernel instead of the per-adapter choice (benchmarks, tests). */
  matmulVariant?: MatmulVariant;
}

export type { ActivationCompileMessage };

/** The matmul variants an adapter may get: a user activation's fused linear kernel must compile in each. */
const MATMUL_VARIANTS: readonly MatmulVariant[] = ['blocked4x4', 'tiled'];

/** Every kernel an activation runs in, as a WebGPU backend builds them (for compileActivation). */
function activationKernels(act: ActivationShape): KernelSource[] {
  const usesInput = act.spec.derivativeUses !== 'output';
  return [
    activationForwardKernel(act),
    activationBackwardKernel(act, usesInput, !usesInput),
    ...act.layout.filter((p) => p.trainable).map((p) => activationParamTermsKernel(act, p.name, p.perChannel && p.length > 1, usesInput, !usesInput)),
    ...MATMUL_VARIANTS.map((variant) => matmulKernel({ variant, transA: false, transB: true, bias: true, act, keepZ: usesInput })),
  ];
}

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  readonly dtype = 'float32' as const;
  readonly description: string;
  /** Which matmul kernel this adapter gets ('blocked4x4' on SwiftShader, 'tiled' on GPUs). */
  matmulVariant: MatmulVariant;
  /** Let the blocked matmul read aligned operands with vec4 loads (off: scalar loads, for comparison). */
  vec4Loads = true;
  /** True once the device is lost: setBackend() then makes a new backend. */
  lost = false;
  /** Dispatches encoded since the backend was made (benchmarks report dispatches per step). */
  dispatchCount = 0;

  private readonly storagePool: BufferPool;
  private readonly uniformPool: BufferPool;
  private readonly stagingPool: BufferPool;
  private readonly pipelines: PipelineCache;
  private encoder: GPUCommandEncoder | null = null;
  private dispatchesInEncoder = 0;
  private failure: Error | null = null;
  /** Device checks of user activations this backend has run, still in progress (see meetActivation). */
  private readonly deviceChecks = new Set<Promise<void>>();
  private readonly dispatchListeners = new Set<DispatchListener>();

  constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterSummary,
    options: WebGpuBackendOptions = {},
  ) {
    this.matmulVariant = options.matmulVariant ?? chooseMatmulVariant(adapter);
    const what = [adapter.vendor, adapter.architecture].filter(Boolean).join(' ');
    this.description =
      `webgpu (${what}${adapter.isFallback ? ', fallback adapter' : ''}` +
      `${adapter.description ? `: ${adapter.description}` : ''}; matmul kernel: ${this.matmulVariant})`;
    const storageUsage = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
    const refused = (error: Error) => this.fail(error, true);
    this.storagePool = new BufferPool(device, storageUsage, 'gradscope storage', refused);
    this.uniformPool = new BufferPool(device, BufferUsage.UNIFORM | BufferUsage.COPY_DST, 'gradscope uniforms', refused);
    this.stagingPool = new BufferPool(device, BufferUsage.MAP_READ | BufferUsage.COPY_DST, 'gradscope staging', refused);
    this.pipelines = new PipelineCache(device, options.debugWgsl ?? false, (e) => this.fail(e, true));
    device.lost.then((info) => {
      this.lost = true;
      this.fail(new Error(`WebGPU device lost (${info.reason}): ${info.message || 'no message'}; call gs.setBackend('webgpu') again for a new device`));
    });
    device.addEventListener('uncapturederror', (event) => {
      const error = (event as GPUUncapturedErrorEvent).error;
      this.fail(new Error(`WebGPU error: ${error.message}`));
    });
  }

  get deviceState(): DeviceState {
    return { lost: this.lost, isFallbackAdapter: this.adapter.isFallback };
  }

  observeDispatches(listener: DispatchListener): () => void {
    this.dispatchListeners.add(listener);
    return () => this.dispatchListeners.delete(listener);
  }

  // --- errors -----------------------------------------------------------------------

  /**
   * Keep the first error for the next operation. A root cause (a shader's own compiler
   * message, a buffer the device refused) replaces the follow-on "invalid due to a
   * previous error" it causes.
   */
  private fail(error: Error, isRootCause = false): void {
    if (!this.failure || (isRootCause && /previous error/.test(this.failure.message))) this.failure = error;
  }

  /**
   * Every operation starts here: a pending device error is thrown, not ignored. A
   * validation error is thrown once (the device still works); a lost device keeps failing.
   */
  private check(): void {
    const failure = this.failure;
    if (!failure) return;
    if (!this.lost) this.failure = null;
    throw failure;
  }

  // --- storage ----------------------------------------------------------------------

  /**
   * Storage for `size` values. A size over the device's limits is refused here, before
   * createBuffer: an invalid buffer would fail the command buffer it is used in, and so
   * the unrelated work encoded with it.
   */
  private alloc(size: number): GpuStorage {
    const bytes = Math.max(4, size * 4);
    const { maxStorageBufferBindingSize, maxBufferSize } = this.device.limits;
    const limit = Math.min(maxStorageBufferBindingSize, maxBufferSize);
    if (bytes > limit) {
      throw allocationError(this.name, size, this.dtype, bytes,
        `this device allows at most ${limit} bytes per storage buffer (maxStorageBufferBindingSize ${maxStorageBufferBindingSize}, maxBufferSize ${maxBufferSize})`);
    }
    return new GpuStorage(this.storagePool.acquire(bytes), size);
  }

  private gpu(s: Storage): GpuStorage {
    const g = s as GpuStorage;
    if (!(g instanceof GpuStorage)) throw new Error('webgpu backend: storage from another backend');
    if (g.released) throw new Error('webgpu backend: use of a released storage (a disposed tensor)');
    if (g.pooled.failed) throw new Error(`webgpu backend: the device refused this storage (${g.pooled.bytes} bytes) when it was allocated`);
    return g;
  }

  private getEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder({ label: 'gradscope' });
    return this.encoder;
  }

  upload(values: ArrayLike<number>): Storage {
    this.check();
    const out = this.alloc(values.length);
    if (values.length > 0) {
      const data = values instanceof Float32Array ? values : Float32Array.from(values);
      this.device.queue.writeBuffer(out.buffer, 0, data.buffer, data.byteOffset, values.length * 4);
    }
    return out;
  }

  fill(size: number, value: number): Storage {
    this.check();
    const out = this.alloc(size);
    if (size === 0) return out;
    if (value === 0) this.getEncoder().clearBuffer(out.buffer, 0, size * 4);
    else this.run('fill', fillKernel, [out], { size, value }, this.groups1d(size));
    return out;
  }

  copy(x: Storage, size: number): Storage {
    this.check();
    const src = this.gpu(x);
    const out = this.alloc(size);
    if (size > 0) this.getEncoder().copyBufferToBuffer(src.buffer, 0, out.buffer, 0, size * 4);
    return out;
  }

  assign(dst: Storage, src: Storage, size: number): void {
    this.check();
    if (size > 0) this.getEncoder().copyBufferToBuffer(this.gpu(src).buffer, 0, this.gpu(dst).buffer, 0, size * 4);
  }

  async read(x: Storage, size: number): Promise<Float32Array> {
    await this.deviceChecksPassed();
    this.check();
    const src = this.gpu(x);
    if (size === 0) return new Float32Array(0);
    const bytes = size * 4;
    const staging = this.stagingPool.acquire(bytes);
    this.getEncoder().copyBufferToBuffer(src.buffer, 0, staging.buffer, 0, bytes);
    this.flush();
    try {
      await staging.buffer.mapAsync(MapMode.READ, 0, bytes);
    } catch (error) {
      await this.settled();
      this.check();
      throw new Error(`webgpu backend: reading ${size} values back failed: ${(error as Error).message}`);
    }
    const out = new Float32Array(staging.buffer.getMappedRange(0, bytes).slice(0));
    staging.buffer.unmap();
    this.stagingPool.releaseNow(staging);
    // An error raised by the work that produced these values arrives before the map
    // resolves (compile and allocation checks are awaited too): never hand back numbers
    // from a failed kernel or a buffer the device refused.
    await this.settled();
    this.check();
    return out;
  }

  /** Every compile and allocation check the device owes has come back. */
  private async settled(): Promise<void> {
    await Promise.all([this.pipelines.settled(), this.storagePool.settled(), this.uniformPool.settled(), this.stagingPool.settled()]);
  }

  release(x: Storage): void {
    const g = x as GpuStorage;
    if (g.released) return;
    g.released = true;
    this.storagePool.release(g.pooled);
  }

  flush(): void {
    // Work with a user activation still being checked waits unsubmitted (see meetActivation).
    if (this.deviceChecks.size > 0) return;
    if (this.encoder) {
      const commands = this.encoder.finish();
      this.encoder = null;
      this.dispatchesInEncoder = 0;
      this.device.queue.submit([commands]);
    }
    this.storagePool.onSubmit();
    this.uniformPool.onSubmit();
    this.stagingPool.onSubmit();
  }

  memory() {
    const p = this.storagePool;
    return { liveBytes: p.liveBytes, pooledBytes: p.pooledBytes, liveBuffers: p.liveBuffers, pooledBuffers: p.pooledBuffers };
  }

  // --- dispatch -----------------------------------------------------------------------

  private groups1d(threads: number): [number, number] {
    return spreadWorkgroups(Math.ceil(threads / ELEMENTWISE_WORKGROUP));
  }

  /** Encode one dispatch of the kernel cached under key (built by make() once). */
  private run(
    key: string,
    make: () => KernelSource,
    buffers: readonly GpuStorage[],
    uniforms: UniformValues,
    [x, y]: [number, number],
  ): void {
    const compiled: CompiledKernel = this.pipelines.get(key, make);
    const { source } = compiled;
    if (buffers.length !== source.storage.length) {
      throw new Error(`webgpu backend: kernel '${source.name}' binds ${source.storage.length} buffers, got ${buffers.length}`);
    }
    if (x === 0 || y === 0) return;
    this.dispatchCount++;
    for (const listener of this.dispatchListeners) listener(source.name, [x, y, 1]);
    const data = packUniforms(source.uniforms, uniforms);
    const uniform = this.uniformPool.acquire(data.byteLength);
    this.device.queue.writeBuffer(uniform.buffer, 0, data);
    const entries: GPUBindGroupEntry[] = buffers.map((b, binding) => ({
      binding,
      // The exact size: arrayLength() in the shader then sees the tensor's length.
      resource: { buffer: b.buffer, offset: 0, size: Math.max(4, b.size * 4) },
    }));
    entries.push({ binding: buffers.length, resource: { buffer: uniform.buffer, offset: 0, size: data.byteLength } });
    const bindGroup = this.device.createBindGroup({ layout: compiled.layout, entries });
    const pass = this.getEncoder().beginComputePass();
    pass.setPipeline(compiled.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y);
    pass.end();
    this.uniformPool.release(uniform);
    if (++this.dispatchesInEncoder >= MAX_DISPATCHES_PER_SUBMIT) this.flush();
  }

  /** Pipelines compiled and cached so far. */
  get pipelineCount(): number {
    return this.pipelines.size;
  }

  /** The WGSL text of the latest pipeline built for a kernel name (e.g. 'matmul', 'linear'). */
  wgslFor(kernelName: string): string | undefined {
    return this.pipelines.sources.get(kernelName);
  }

  /** Every kernel name with the WGSL last built for it. */
  wgslSources(): ReadonlyMap<string, string> {
    return this.pipelines.sources;
  }

  // --- elementwise ------------------------------------------------------------------------

  unary(op: UnaryOp, x: Storage, size: number, args: readonly number[] = []): Storage {
    this.check();
    const xs = this.gpu(x);
    const out = this.alloc(size);
    const [a = 0, b = 0] = args;
    this.run(`unary:${op}`, () => unaryKernel(op), [xs, out], { size, a, b }, this.groups1d(size));
    return out;
  }

  binary(op: BinaryOp, a: Storage, aShape: Shape, b: Storage, bShape: Shape, outShape: Shape): Storage {
    this.check();
    const as = this.gpu(a);
    const bs = this.gpu(b);
    const size = sizeOf(outShape);
    const out = this.alloc(size);
    let layout: BinaryLayout = 'broadcast';
    if (as.size === size && bs.size === size) layout = 'same';
    else if (as.size === size && bs.size === 1) layout = 'scalarB';
    const uniforms: UniformValues = { size };
    if (layout === 'broadcast') {
      if (outShape.length > MAX_RANK) {
        throw new Error(`webgpu backend: broadcasting supports rank <= ${MAX_RANK}, got output shape [${outShape.join(', ')}]`);
      }
      uniforms.rank = outShape.length;
      uniforms.shape = outShape;
      uniforms.strideA = broadcastStrides(aShape, outShape);
      uniforms.strideB = broadcastStrides(bShape, outShape);
    }
    this.run(`binary:${op}:${layout}`, () => binaryKernel(op, layout), [as, bs, out], uniforms, this.groups1d(size));
    return out;
  }

  permute(x: Storage, shape: Shape, perm: readonly number[]): Storage {
    this.check();
    const xs = this.gpu(x);
    const size = sizeOf(shape);
    const out = this.alloc(size);
    if (shape.length > MAX_RANK) throw new Error(`webgpu backend: permute supports rank <= ${MAX_RANK}, got [${shape.join(', ')}]`);
    const inStrides = stridesOf(shape);
    const uniforms = {
      size,
      rank: shape.length,
      outShape: perm.map((p) => shape[p]),
      step: perm.map((p) => inStrides[p]),
    };
    this.run('permute', permuteKernel, [xs, out], uniforms, this.groups1d(size));
    return out;
  }

  // --- reductions -------------------------------------------------------------------------

  reduce(op: ReduceOp, x: Storage, outer: number, dim: number, inner: number): Storage {
    this.check();
    const xs = this.gpu(x);
    const outputs = outer * inner;
    const out = this.alloc(outputs);
    const strategy = reduceStrategy(dim, outputs, this.adapter.isFallback);
    const groups = strategy === 'tree' ? spreadWorkgroups(outputs) : this.groups1d(outputs);
    this.run(`reduce:${op}:${strategy}`, () => reduceKernel(op, strategy), [xs, out], { outer, dim, inner }, groups);
    return out;
  }

  argmax(x: Storage, outer: number, dim: number, inner: number): Storage {
    this.check();
    const xs = this.gpu(x);
    const out = this.alloc(outer * inner);
    this.run('argmax', argmaxKernel, [xs, out], { outer, dim, inner }, this.groups1d(outer * inner));
    return out;
  }

  histogram(x: Storage, size: number, bins: number, lo: number, hi: number): Storage {
    this.check();
    const xs = this.gpu(x);
    const out = this.alloc(bins);
    if (bins === 0) return out;
    this.getEncoder().clearBuffer(out.buffer, 0, bins * 4);
    const scale = hi > lo ? bins / (hi - lo) : 0;
    this.run('histogram_count', histogramCountKernel, [xs, out], { size, bins, lo, scale }, this.groups1d(size));
    this.run('histogram_to_float', histogramToFloatKernel, [out], { size: bins }, this.groups1d(bins));
    return out;
  }

  // --- linear algebra ---------------------------------------------------------------------

  private runMatmul(o: Omit<MatmulOptions, 'variant'>, buffers: GpuStorage[], m: number, k: number, n: number): void {
    const vec4 = this.vec4Loads ? vec4Operands(o.transA, o.transB, m, k, n) : { vecA: false, vecB: false };
    const options: MatmulOptions = { ...o, variant: this.matmulVariant, ...vec4 };
    this.run(`matmul:${matmulKey(options)}`, () => matmulKernel(options), buffers, { m, k, n }, matmulWorkgroups(options.variant, m, n));
  }

  matmul(a: Storage, b: Storage, m: number, k: number, n: number, transA: boolean, transB: boolean): Storage {
    this.check();
    const as = this.gpu(a);
    const bs = this.gpu(b);
    if (k === 0) return this.fill(m * n, 0);
    const out = this.alloc(m * n);
    this.runMatmul({ transA, transB, bias: false, act: null, keepZ: false }, [as, bs, out], m, k, n);
    return out;
  }

  linear(
    x: Storage,
    w: Storage,
    b: Storage | null,
    act: ActivationKernelArgs | null,
    m: number,
    k: number,
    n: number,
    keepZ: boolean,
  ): { y: Storage; z: Storage | null } {
    this.check();
    if (act) this.meetActivation(act.spec);
    const xs = this.gpu(x);
    const ws = this.gpu(w);
    const bias = b ? this.gpu(b) : null;
    const params = act ? act.params.map((p) => this.gpu(p)) : [];
    const y = this.alloc(m * n);
    const z = keepZ ? this.alloc(m * n) : null;
    const buffers = [xs, ws];
    if (bias) buffers.push(bias);
    buffers.push(y);
    if (z) buffers.push(z);
    buffers.push(...params);
    const shape: ActivationShape | null = act ? { spec: act.spec, layout: act.layout } : null;
    this.runMatmul({ transA: false, transB: true, bias: !!bias, act: shape, keepZ }, buffers, m, k, n);
    return { y, z };
  }

  // --- softmax and losses -------------------------------------------------------------------

  softmax(x: Storage, outer: number, dim: number, inner: number, log: boolean): Storage {
    this.check();
    const xs = this.gpu(x);
    const out = this.alloc(outer * dim * inner);
    this.run(`softmax:${log}`, () => softmaxKernel(log), [xs, out], { outer, dim, inner }, this.groups1d(outer * inner));
    return out;
  }

  softmaxBackward(y: Storage, dy: Storage, outer: number, dim: number, inner: number, log: boolean): Storage {
    this.check();
    const ys = this.gpu(y);
    const dys = this.gpu(dy);
    const dx = this.alloc(outer * dim * inner);
    this.run(`softmax_backward:${log}`, () => softmaxBackwardKernel(log), [ys, dys, dx], { outer, dim, inner }, this.groups1d(outer * inner));
    return dx;
  }

  crossEntropy(logits: Storage, labels: Storage, n: number, c: number, smoothing: number): Storage {
    this.check();
    const ls = this.gpu(logits);
    const lab = this.gpu(labels);
    const out = this.alloc(n);
    this.run('cross_entropy', crossEntropyKernel, [ls, lab, out], { n, c, smoothing }, this.groups1d(n));
    return out;
  }

  crossEntropyBackward(logits: Storage, labels: Storage, gradRows: Storage, n: number, c: number, smoothing: number): Storage {
    this.check();
    const ls = this.gpu(logits);
    const lab = this.gpu(labels);
    const g = this.gpu(gradRows);
    const dx = this.alloc(n * c);
    this.run('cross_entropy_backward', crossEntropyBackwardKernel, [ls, lab, g, dx], { n, c, smoothing }, this.groups1d(n));
    return dx;
  }

  // --- activations ------------------------------------------------------------------------

  /**
   * A user activation whose WGSL register() could only parse is checked on a device
   * the first time a backend runs it (engine/activation-device-check.ts). Until the
   * check passes, nothing is submitted, so this device never runs the unchecked shader
   * and no number is read back; a refused activation throws here from then on.
   */
  private meetActivation(spec: ActivationSpec): void {
    const check = deviceCheckFor(spec);
    if (!check || this.deviceChecks.has(check)) return;
    this.deviceChecks.add(check);
    check.then(
      () => this.deviceChecks.delete(check),
      () => {}, // thrown by deviceChecksPassed
    );
  }

  /**
   * Wait for the device checks in progress; on a refusal, drop the work held for them
   * (as a command buffer with a shader that does not compile is dropped) and throw it.
   */
  private async deviceChecksPassed(): Promise<void> {
    while (this.deviceChecks.size > 0) {
      const outcomes = await Promise.allSettled([...this.deviceChecks]);
      const refusal = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (!refusal) continue;
      this.deviceChecks.clear();
      this.encoder = null;
      this.dispatchesInEncoder = 0;
      this.flush(); // nothing left to submit: only frees what the dropped work held
      throw refusal.reason;
    }
  }

  activation(act: ActivationKernelArgs, x: Storage, size: number, channels: number): Storage {
    this.check();
    this.meetActivation(act.spec);
    const xs = this.gpu(x);
    const params = act.params.map((p) => this.gpu(p));
    const out = this.alloc(size);
    const shape = { spec: act.spec, layout: act.layout };
    this.run(`activation:${activationKey(shape)}`, () => activationForwardKernel(shape), [xs, out, ...params], { size, channels }, this.groups1d(size));
    return out;
  }

  activationBackward(
    act: ActivationKernelArgs,
    x: Storage | null,
    y: Storage | null,
    dy: Storage,
    size: number,
    channels: number,
    withColumnSums: boolean,
  ): { dx: Storage; dparams: (Storage | null)[]; columnSums: Storage | null } {
    this.check();
    this.meetActivation(act.spec);
    const inputs: GpuStorage[] = [];
    if (x) inputs.push(this.gpu(x));
    if (y) inputs.push(this.gpu(y));
    const dys = this.gpu(dy);
    const params = act.params.map((p) => this.gpu(p));
    const shape = { spec: act.spec, layout: act.layout };
    const key = activationKey(shape);
    const hasX = !!x;
    const hasY = !!y;
    const dx = this.alloc(size);
    this.run(
      `activation_backward:${hasX}:${hasY}:${key}`,
      () => activationBackwardKernel(shape, hasX, hasY),
      [...inputs, dys, dx, ...params],
      { size, channels },
      this.groups1d(size),
    );
    const rows = channels > 0 ? size / channels : 0;
    // ∂L/∂θ: per-element terms, then a parallel sum (over rows for a per-channel vector).
    const dparams = act.layout.map((layout) => {
      if (!layout.trainable) return null;
      const perChannelVector = layout.perChannel && layout.length > 1;
      const terms = this.alloc(perChannelVector ? size : layout.length * size);
      this.run(
        `activation_dparam:${layout.name}:${perChannelVector}:${hasX}:${hasY}:${key}`,
        () => activationParamTermsKernel(shape, layout.name, perChannelVector, hasX, hasY),
        [...inputs, dys, terms, ...params],
        { size, channels, length: layout.length },
        this.groups1d(terms.size),
      );
      const grad = perChannelVector ? this.reduce('sum', terms, 1, rows, channels) : this.reduce('sum', terms, layout.length, size, 1);
      this.release(terms);
      return grad;
    });
    const columnSums = withColumnSums ? this.reduce('sum', dx, 1, rows, channels) : null;
    return { dx, dparams, columnSums };
  }

  /**
   * Compile every kernel the activation runs in (elementwise forward and backward, each
   * parameter's gradient terms, the fused linear kernel in each matmul variant, as any
   * WebGPU backend builds them) and return the compiler's errors, each traced back to the
   * spec's own field and line by the generator's line map.
   */
  async compileActivation(spec: ActivationSpec): Promise<ActivationCompileMessage[]> {
    this.check();
    const act: ActivationShape = { spec, layout: paramLayout(spec) };
    let kernels: KernelSource[];
    try {
      kernels = activationKernels(act);
    } catch (error) {
      return [{ message: (error as Error).message, field: null, line: 0, column: 0 }];
    }
    const found = new Map<string, ActivationCompileMessage>();
    for (const kernel of kernels) {
      this.device.pushErrorScope('validation');
      const module = this.device.createShaderModule({ code: kernel.wgsl, label: `${kernel.name} (check)` });
      const messages = await compilerMessages(module);
      await this.device.popErrorScope();
      const sections = specSectionsIn(kernel.wgsl, act);
      let error: ActivationCompileMessage | null = null;
      for (const m of messages) {
        const located = { message: m.message, ...locateSpecLine(sections, m.line, m.column) };
        if (m.type === 'info' && error) (error.notes ??= []).push(located); // a note on the error before it
        if (m.type !== 'error') continue;
        // The spec's text is in every kernel: the same error comes back from each.
        const key = located.field ? `${located.field}:${located.line}:${located.column}:${m.message}` : `${kernel.name}:${m.line}:${m.column}:${m.message}`;
        error = found.has(key) ? null : located;
        if (error) found.set(key, error);
      }
    }
    return [...found.values()];
  }

  /** Release the device once its queue is empty (destroy() itself would block this thread until then). */
  async destroy(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.device.destroy();
  }

  // --- optimizers -----------------------------------------------------------------------------

  sgdStep(param: Storage, grad: Storage, velocity: Storage | null, size: number, o: SgdOptions): void {
    this.check();
    const buffers = [this.gpu(param), this.gpu(grad)];
    if (velocity) buffers.push(this.gpu(velocity));
    const withVelocity = !!velocity;
    const uniforms = {
      size,
      firstStep: o.firstStep ? 1 : 0,
      nesterov: o.nesterov ? 1 : 0,
      lr: o.lr,
      momentum: o.momentum,
      dampening: o.dampening,
      weightDecay: o.weightDecay,
    };
    this.run(`sgd:${withVelocity}`, () => sgdKernel(withVelocity), buffers, uniforms, this.groups1d(size));
  }

  adamStep(param: Storage, grad: Storage, m: Storage, v: Storage, size: number, o: AdamOptions): void {
    this.check();
    const buffers = [this.gpu(param), this.gpu(grad), this.gpu(m), this.gpu(v)];
    const uniforms = {
      size,
      decoupled: o.decoupledWeightDecay ? 1 : 0,
      lr: o.lr,
      beta1: o.beta1,
      beta2: o.beta2,
      eps: o.eps,
      weightDecay: o.weightDecay,
      bias1: 1 - Math.pow(o.beta1, o.step),
      sqrtBias2: Math.sqrt(1 - Math.pow(o.beta2, o.step)),
    };
    this.run('adam', adamKernel, buffers, uniforms, this.groups1d(size));
  }
}
