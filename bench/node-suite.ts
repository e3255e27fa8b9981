// The Node half of the benchmark: gradscope on CPU (every core, and one thread) and on
// Dawn (WebGPU), against tfjs-backend-cpu, tfjs-backend-webgpu on the same Dawn where it
// starts, and PyTorch's CPU step (one thread, and every core) where a Python with torch
// is found.

import '../cli/wasm-features'; // relaxed SIMD on Node 20 too, as `gradscope` runs
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { startPyTorch, type PyTorch } from './pytorch';
import { gradscopeFactories, gradscopeTrainStep, measureEngine, measurePair, tfjsFactories, timePair, type EngineResult, type GS, type PairResult, type SuiteOptions } from './workloads';

export interface SuiteReport {
  where: string;
  adapter: string;
  engines: EngineResult[];
  /** Training steps of gradscope and its peer timed alternately: the robust ratio. */
  pairs: PairResult[];
  notes: string[];
}

/** Skip or record a failing engine without losing the others. */
async function attempt<T>(engine: string, o: SuiteOptions, notes: string[], fn: () => Promise<T>): Promise<T | null> {
  if (o.engines && !o.engines.includes(engine)) return null;
  try {
    return await fn();
  } catch (error) {
    const message = `${engine}: ${(error as Error).message.split('\n')[0]}`;
    notes.push(message);
    o.log?.(`skipped ${message}`);
    return null;
  }
}

export interface NodeSuiteOptions extends SuiteOptions {
  webgpu?: boolean;
  /** bench/pytorch-worker.py: PyTorch is measured when given and a Python with torch is found. */
  pytorchScript?: string;
}

export async function runNodeSuite(gs: GS, o: NodeSuiteOptions): Promise<SuiteReport> {
  const notes: string[] = [];
  const engines: EngineResult[] = [];
  const push = (r: EngineResult | null) => r && engines.push(r);
  let adapter = 'none';
  const cores = availableParallelism();

  // gradscope-cpu: every core (the default); gradscope-cpu-1thread: the matmul on one.
  push(await attempt('gradscope-cpu', o, notes, async () => {
    o.log?.(`gradscope cpu: ${await gs.setBackend('cpu', { threads: cores })}`);
    return measureEngine('gradscope-cpu', gradscopeFactories(gs, o.layers, o.batch), o);
  }));
  push(await attempt('gradscope-cpu-1thread', o, notes, async () => {
    o.log?.(`gradscope cpu: ${await gs.setBackend('cpu', { threads: 1 })}`);
    try {
      return await measureEngine('gradscope-cpu-1thread', gradscopeFactories(gs, o.layers, o.batch), o);
    } finally {
      await gs.setBackend('cpu', { threads: cores });
    }
  }));
  push(await attempt('tfjs-cpu', o, notes, async () => {
    await tf.setBackend('cpu');
    await tf.ready();
    return measureEngine('tfjs-cpu', tfjsFactories(tf, o.layers, o.batch), o);
  }));

  let torch: PyTorch | null = null;
  const torchEngines = ['pytorch-cpu-1thread', 'pytorch-cpu'];
  if (o.pytorchScript && (!o.engines || torchEngines.some((e) => o.engines!.includes(e)))) {
    const started = await startPyTorch(o.pytorchScript);
    if (typeof started === 'string') {
      notes.push(`pytorch-cpu: ${started}`);
      o.log?.(`skipped pytorch-cpu: ${started}`);
    } else {
      torch = started;
      o.log?.(`pytorch: torch ${torch.version}`);
    }
  }
  if (torch) {
    const t = torch;
    push(await attempt('pytorch-cpu-1thread', o, notes, async () => {
      await t.setThreads(1);
      return t.measure('pytorch-cpu-1thread', o);
    }));
    push(await attempt('pytorch-cpu', o, notes, async () => {
      await t.setThreads(cores);
      return t.measure('pytorch-cpu', o);
    }));
  }

  if (o.webgpu !== false) {
    push(await attempt('gradscope-webgpu', o, notes, async () => {
      adapter = await gs.setBackend('webgpu');
      o.log?.(`gradscope webgpu: ${adapter}`);
      try {
        return await measureEngine('gradscope-webgpu', gradscopeFactories(gs, o.layers, o.batch), o);
      } finally {
        await gs.setBackend('cpu');
      }
    }));
    push(await attempt('tfjs-webgpu', o, notes, async () => {
      const dawnAdapter = await installDawnNavigator();
      if (adapter === 'none') adapter = `dawn: ${dawnAdapter}`;
      await import('@tensorflow/tfjs-backend-webgpu');
      if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs-backend-webgpu did not initialise on Dawn');
      await tf.ready();
      try {
        return await measureEngine('tfjs-webgpu', tfjsFactories(tf, o.layers, o.batch), o);
      } finally {
        await tf.setBackend('cpu');
      }
    }));
  }

  // The ratios: both steps alive at once, timed back to back.
  const pairs: PairResult[] = [];
  const measured = new Set(engines.map((e) => e.engine));
  const pairOptions = { ...o, engines: undefined };
  const pair = async (ours: string, peer: string, backend: 'cpu' | 'webgpu') => {
    if (!measured.has(ours) || !measured.has(peer)) return;
    const r = await attempt(`${ours} vs ${peer}`, pairOptions, notes, async () => {
      await gs.setBackend(backend);
      await tf.setBackend(backend);
      try {
        return await measurePair([ours, peer], gradscopeFactories(gs, o.layers, o.batch).trainStep, tfjsFactories(tf, o.layers, o.batch).trainStep, o);
      } finally {
        await gs.setBackend('cpu');
        await tf.setBackend('cpu');
      }
    });
    if (r) pairs.push(r);
  };
  await pair('gradscope-cpu', 'tfjs-cpu', 'cpu');
  await pair('gradscope-webgpu', 'tfjs-webgpu', 'webgpu');

  // gradscope's step and PyTorch's, alternately, on the same number of threads.
  const torchPair = async (ours: string, peer: string, threads: number) => {
    if (!torch || !measured.has(ours) || !measured.has(peer)) return;
    const t = torch;
    const r = await attempt(`${ours} vs ${peer}`, pairOptions, notes, async () => {
      await gs.setBackend('cpu', { threads });
      await t.setThreads(threads);
      await t.loadNetwork(o.layers, o.batch);
      const step = gradscopeTrainStep(gs, o.layers, o.batch);
      try {
        // The same weights, inputs and labels: the first step's losses must agree.
        await step.run();
        const theirs = await t.step();
        if (!(Math.abs(step.lastLoss() - theirs.loss) <= 1e-4 * Math.abs(theirs.loss))) {
          notes.push(`${ours} vs ${peer}: first-step losses differ (${step.lastLoss()} vs ${theirs.loss})`);
        }
        const result = await timePair([ours, peer], step.run, async () => (await t.step()).ms, o);
        o.log?.(`${ours} vs ${peer}, alternating train steps: ${result.oursMs.median.toFixed(1)} vs ${result.peerMs.median.toFixed(1)} ms, speed-up ${result.speedup.toFixed(2)}×`);
        return result;
      } finally {
        step.dispose();
        await gs.setBackend('cpu', { threads: cores });
      }
    });
    if (r) pairs.push(r);
  };
  try {
    await torchPair('gradscope-cpu-1thread', 'pytorch-cpu-1thread', 1);
    await torchPair('gradscope-cpu', 'pytorch-cpu', cores);
  } finally {
    torch?.close();
  }
  return { where: `node ${process.version} (${process.platform} ${process.arch})`, adapter, engines, pairs, notes };
}

/** tfjs-backend-webgpu looks for navigator.gpu and the GPU* globals: give it Dawn's. */
async function installDawnNavigator(): Promise<string> {
  const g = globalThis as Record<string, unknown>;
  const existing = (g.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (existing) return describeAdapter(await existing.requestAdapter());
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const dawn = (await import('webgpu')) as unknown as { create: (flags: string[]) => GPU; globals: object };
  Object.assign(globalThis, dawn.globals);
  // The real driver first; SwiftShader (Chromium's Vulkan ICD) only when no adapter is found,
  // so the same command measures a real GPU where there is one.
  let gpu = dawn.create([]);
  const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
  if (!(await gpu.requestAdapter()) && !process.env.VK_ICD_FILENAMES) {
    process.env.VK_ICD_FILENAMES = swiftshader;
    gpu = dawn.create([]);
  }
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else g.navigator = { gpu };
  return describeAdapter(await gpu.requestAdapter());
}

export function describeAdapter(adapter: GPUAdapter | null): string {
  if (!adapter) return 'no adapter';
  const { vendor, architecture, description } = adapter.info;
  const fallback = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ? ' (fallback)' : '';
  return `${[vendor, architecture, description].filter(Boolean).join(' ')}${fallback}`;
}
