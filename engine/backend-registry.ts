// Which backend new tensors are made on. Tensors remember their backend; ops run on
// their inputs' backend, so this only matters when creating tensors.

import type { Backend } from './backend';
import { CpuBackend } from './backends/cpu';

export type BackendName = 'cpu' | 'webgpu' | 'auto';

/** A factory for a backend that needs async set-up (WebGPU registers one from its module). */
export type BackendFactory = (options: BackendOptions) => Promise<Backend>;

export interface BackendOptions {
  /** The GPU object to use (navigator.gpu in a page; Dawn's in Node). Found automatically when omitted. */
  gpu?: GPU;
  /** Print every generated WGSL program (also GRADSCOPE_DEBUG_WGSL=1). */
  debugWgsl?: boolean;
}

const cpu = new CpuBackend(Float32Array);
let current: Backend = cpu;
const factories = new Map<string, BackendFactory>();
const instances = new Map<string, Backend>([['cpu', cpu]]);

export function registerBackendFactory(name: string, factory: BackendFactory): void {
  factories.set(name, factory);
}

export function getBackend(): Backend {
  return current;
}

/** Use `backend` for new tensors while fn runs (gradient checks run on float64). */
export function withBackend<T>(backend: Backend, fn: () => T): T {
  const previous = current;
  current = backend;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

export function cpuBackend(): Backend {
  return cpu;
}

/**
 * Choose the backend for new tensors. 'auto' picks WebGPU when an adapter exists, else
 * the CPU. Resolves to a description of what was chosen, e.g. 'webgpu (google swiftshader)'.
 */
export async function setBackend(name: BackendName | Backend, options: BackendOptions = {}): Promise<string> {
  if (typeof name === 'object') {
    current = name;
    return describe(name);
  }
  if (name === 'cpu') {
    current = cpu;
    return describe(cpu);
  }
  if (name !== 'webgpu' && name !== 'auto') {
    throw new Error(`setBackend: unknown backend '${String(name)}' (valid: 'cpu', 'webgpu', 'auto')`);
  }
  const factory = factories.get('webgpu');
  let backend = instances.get('webgpu');
  if (!backend || (backend as { lost?: boolean }).lost) {
    try {
      if (!factory) throw new Error('the WebGPU backend is not part of this build');
      backend = await factory(options);
      instances.set('webgpu', backend);
    } catch (error) {
      if (name === 'webgpu') throw error;
      current = cpu;
      return `${describe(cpu)}; WebGPU unavailable: ${(error as Error).message}`;
    }
  }
  current = backend;
  return describe(backend);
}

function describe(backend: Backend): string {
  return backend.description;
}
