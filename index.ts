// gradscope: the public API. `import * as gs from 'gradscope'`.

// First, the built-in activations into the engine's (empty) table: before any user code runs.
import './activations/builtin/install';

export { Tensor, type TensorLike } from './engine/tensor';
export * from './engine/creation';
export * from './engine/functional';
export { setBackend, getBackend, withBackend, type BackendName, type BackendOptions } from './engine/backend-registry';
export type { Backend, Storage, DeviceState, DispatchListener } from './engine/backend';
export { noGrad } from './engine/autograd';
export { tidy, keep } from './engine/memory';
export { gradcheck, describeGradcheck, type GradcheckResult, type GradcheckOptions } from './engine/gradcheck';
export { detectAnomaly, AnomalyError } from './engine/anomaly';
export type { ActivationSpec, ActivationParamSpec } from './engine/activation-spec';
export { activation } from './nn/activation';

export * as nn from './nn/index';
export * as optim from './nn/optim/index';
export * as losses from './nn/losses';
export * as init from './nn/init';
export * as activations from './activations/index';
export * as data from './nn/data/index';
export * as analysis from './nn/analysis/index';
export { trace, startTrace, toDot, type TraceGraph, type TraceNode, type TraceEdge, type TraceOptions, type TraceSession, type GradientSummary, type KernelDispatch } from './engine/trace';
export * as io from './nn/io/index';
export * as debug from './engine/debug';

import './engine/backends/webgpu/index';
import { getBackend } from './engine/backend-registry';
import type { Tensor } from './engine/tensor';

/** Bytes held by the current backend: live in tensors, and pooled for reuse. */
export function memory() {
  return getBackend().memory();
}

/** Dispose several tensors (or anything with dispose()) at once. */
export function dispose(...items: (Tensor | { dispose(): void } | null | undefined)[]): void {
  for (const item of items) item?.dispose();
}
