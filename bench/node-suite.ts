// The Node half of the benchmark: gradscope on CPU and on Dawn (WebGPU), against
// tfjs-backend-cpu and, where it starts, tfjs-backend-webgpu on the same Dawn.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { gradscopeFactories, measureEngine, measurePair, tfjsFactories, type EngineResult, type GS, type PairResult, type SuiteOptions } from './workloads';

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

export async function runNodeSuite(gs: GS, o: SuiteOptions & { webgpu?: boolean }): Promise<SuiteReport> {
  const notes: string[] = [];
  const engines: EngineResult[] = [];
  const push = (r: EngineResult | null) => r && engines.push(r);
  let adapter = 'none';

  push(await attempt('gradscope-cpu', o, notes, async () => {
    await gs.setBackend('cpu');
    return measureEngine('gradscope-cpu', gradscopeFactories(gs, o.layers, o.batch), o);
  }));
  push(await attempt('tfjs-cpu', o, notes, async () => {
    await tf.setBackend('cpu');
    await tf.ready();
    return measureEngine('tfjs-cpu', tfjsFactories(tf, o.layers, o.batch), o);
  }));

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
