// Which backend new tensors are made on. Tensors remember their backend; ops run on
// their inputs' backend, so this only matters when creating tensors.

import type { Backend } from './backend';
import { CpuBackend } from './backends/cpu';
import { setCpuMatmulThreads } from './backends/cpu-matmul';

export type BackendName = 'cpu' | 'webgpu' | 'auto';

/** A factory for a backend that needs async set-up (WebGPU registers one from its module). */
export type BackendFactory = (options: BackendOptions) => Promise<Backend>;

export interface BackendOptions {
  /** The GPU object to use (navigator.gpu in a page; Dawn's in Node). Found automatically when omitted. */
  gpu?: GPU;
  /** Print every generated WGSL program (also GRADSCOPE_DEBUG_WGSL=1). */
  debugWgsl?: boolean;
  /**
   * The CPU backend's threads (a positive integer; default: every core available) for
   * float32 matrix products and STAF's sine sums: big ones are split into blocks of the
   * output over worker threads, never into parts of a sum, so results are identical for
   * any count. In a page, threads need cross-origin isolation (COOP/COEP headers);
   * without it everything runs on the page's thread.
   */
  threads?: number;
}

const cpu = new CpuBackend(Float32Array);
let current: Backend = cpu;
const factories = new Map<string, BackendFactory>();
const instances = new Map<string, Backend>([['cpu', cpu]]);

/** Returns the factory it replaces, if any. */
export function registerBackendFactory(name: string, factory: BackendFactory): BackendFactory | undefined {
  const replaced = factories.get(name);
  factories.set(name, factory);
  return replaced;
}

/**
 * A fresh, separate instance of a factory-made backend: e.g. a second WebGPU device on
 * which user shaders are test-run, so that one that never finishes cannot stall the
 * device the user's tensors live on.
 */
export async function createBackend(name: string, options: BackendOptions = {}): Promise<Backend> {
  const factory = factories.get(name);
  if (!factory) throw new Error(`createBackend: no backend factory named '${name}' (registered: ${[...factories.keys()].join(', ') || 'none'})`);
  return factory(options);
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
 * Choose the backend for new tensors. 'auto' picks WebGPU on a hardware adapter, the
 * CPU when there is none, and on a software fallback adapter whichever a short
 * calibration finds faster. Resolves to a description of what was chosen and why.
 */
export async function setBackend(name: BackendName | Backend, options: BackendOptions = {}): Promise<string> {
  if (options.threads !== undefined) {
    try {
      await setCpuMatmulThreads(options.threads);
    } catch (error) {
      throw new Error(`setBackend: ${(error as Error).message}`);
    }
  }
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
  if (!backend || backend.deviceState?.lost) {
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
  if (name === 'auto' && backend.deviceState?.isFallbackAdapter) {
    // A software WebGPU adapter (SwiftShader) runs shaders on the CPU: often slower than
    // the CPU backend. Let a short measurement decide, once per process, and say so.
    calibration ??= calibrate(backend, cpu);
    const c = await calibration;
    current = c.winner === 'webgpu' ? backend : cpu;
    return `${describe(current)} (auto: the WebGPU adapter is a software fallback; a ${c.workload} took ${c.webgpuMs.toFixed(1)} ms on it and ${c.cpuMs.toFixed(1)} ms on the CPU backend, so '${c.winner}' was chosen; setBackend('webgpu') uses it anyway)`;
  }
  current = backend;
  return describe(backend);
}

export interface Calibration {
  workload: string;
  webgpuMs: number;
  cpuMs: number;
  winner: 'webgpu' | 'cpu';
}
let calibration: Promise<Calibration> | undefined;

/**
 * Time one training-shaped workload on both backends: a fused linear+relu forward
 * (batch 128, 256 → 256) and its two backward matmuls, read back. Median of 3 after a
 * warm-up; the kernels are compiled by the warm-up, not timed.
 */
async function calibrate(webgpu: Backend, host: Backend): Promise<Calibration> {
  const m = 128;
  const k = 256;
  const n = 256;
  const values = (size: number) => Float32Array.from({ length: size }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const time = async (b: Backend): Promise<number> => {
    const x = b.upload(values(m * k));
    const w = b.upload(values(n * k));
    const once = async () => {
      const started = performance.now();
      const { y } = b.linear(x, w, null, null, m, k, n, false);
      const dx = b.matmul(y, w, m, n, k, false, false);
      const dw = b.matmul(y, x, n, m, k, true, false);
      await b.read(dw, 1);
      await b.read(dx, 1);
      for (const s of [y, dx, dw]) b.release(s);
      return performance.now() - started;
    };
    await once();
    const runs = [await once(), await once(), await once()].sort((a, z) => a - z);
    b.release(x);
    b.release(w);
    return runs[1];
  };
  const webgpuMs = await time(webgpu);
  const cpuMs = await time(host);
  return { workload: `${m}×${k}·${k}×${n} linear forward and backward`, webgpuMs, cpuMs, winner: webgpuMs < cpuMs ? 'webgpu' : 'cpu' };
}

function describe(backend: Backend): string {
  return backend.description;
}
