// The browser half of the benchmark, bundled by bench/run.mjs into dist/bench/page.js
// and run in headless Chromium: gradscope (dist/gradscope.browser.js) on WebGPU and
// CPU against tfjs-backend-webgpu, tfjs-backend-cpu and tfjs-backend-wasm. The page is
// cross-origin isolated (bench/run.mjs sends COOP/COEP), so gradscope-cpu's matmul and
// tfjs-wasm (its threaded SIMD build) both use every core; gradscope-cpu-1thread is the
// matmul on one.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { gradscopeFactories, measureEngine, measurePair, tfjsFactories, type EngineResult, type GS, type PairResult, type SuiteOptions } from './workloads';

interface PageOptions {
  sizes: number[];
  warmup: number;
  reps: number;
  layers?: number[];
  batch?: number;
  engines?: string[];
}

async function runBrowserSuite(o: PageOptions) {
  // A URL, not a package: the page loads the same bundle users load.
  const gsUrl = '/dist/gradscope.browser.js';
  const gs = (await import(/* @vite-ignore */ gsUrl)) as GS;
  const log = (line: string) => console.log(line);
  const suite: SuiteOptions = { ...o, now: () => performance.now(), log };
  const notes: string[] = [];
  const engines: EngineResult[] = [];
  const attempt = async (engine: string, fn: () => Promise<EngineResult>) => {
    if (o.engines && !o.engines.includes(engine)) return;
    try {
      engines.push(await fn());
    } catch (error) {
      notes.push(`${engine}: ${(error as Error).message.split('\n')[0]}`);
      log(`skipped ${notes[notes.length - 1]}`);
    }
  };

  let adapter = 'none';
  const gpuAdapter = await navigator.gpu?.requestAdapter();
  if (gpuAdapter) {
    const info = gpuAdapter.info;
    adapter = `${info.vendor} ${info.architecture} ${info.description}`.trim() + ((gpuAdapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ? ' (fallback)' : '');
  }

  await attempt('gradscope-webgpu', async () => {
    log(`gradscope webgpu: ${await gs.setBackend('webgpu')}`);
    try {
      return await measureEngine('gradscope-webgpu', gradscopeFactories(gs, o.layers, o.batch), suite);
    } finally {
      await gs.setBackend('cpu');
    }
  });
  await attempt('tfjs-webgpu', async () => {
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs-backend-webgpu did not initialise');
    return measureEngine('tfjs-webgpu', tfjsFactories(tf, o.layers, o.batch), suite);
  });
  const cores = navigator.hardwareConcurrency ?? 1;
  await attempt('gradscope-cpu', async () => {
    log(`gradscope cpu: ${await gs.setBackend('cpu', { threads: cores })}`);
    return measureEngine('gradscope-cpu', gradscopeFactories(gs, o.layers, o.batch), suite);
  });
  await attempt('gradscope-cpu-1thread', async () => {
    log(`gradscope cpu: ${await gs.setBackend('cpu', { threads: 1 })}`);
    try {
      return await measureEngine('gradscope-cpu-1thread', gradscopeFactories(gs, o.layers, o.batch), suite);
    } finally {
      await gs.setBackend('cpu', { threads: cores });
    }
  });
  await attempt('tfjs-cpu', async () => {
    if (!(await tf.setBackend('cpu'))) throw new Error('tfjs-backend-cpu did not initialise');
    return measureEngine('tfjs-cpu', tfjsFactories(tf, o.layers, o.batch), suite);
  });
  await attempt('tfjs-wasm', async () => {
    setWasmPaths('/wasm/');
    // Every core, as gradscope-cpu: tfjs-wasm's own default is half of them (one here).
    setThreadsCount(cores);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs-backend-wasm did not initialise');
    log(`tfjs-wasm: ${getThreadsCount()} thread(s), crossOriginIsolated = ${globalThis.crossOriginIsolated}`);
    return measureEngine('tfjs-wasm', tfjsFactories(tf, o.layers, o.batch), suite);
  });

  // The ratios: gradscope's step and its peer's alive at once, timed back to back.
  const pairs: PairResult[] = [];
  const measured = new Set(engines.map((e) => e.engine));
  const pair = async (ours: string, peer: string, gsBackend: 'cpu' | 'webgpu', tfBackend: string) => {
    if (!measured.has(ours) || !measured.has(peer)) return;
    try {
      await gs.setBackend(gsBackend);
      if (!(await tf.setBackend(tfBackend))) throw new Error(`tfjs backend ${tfBackend} did not initialise`);
      pairs.push(await measurePair([ours, peer], gradscopeFactories(gs, o.layers, o.batch).trainStep, tfjsFactories(tf, o.layers, o.batch).trainStep, suite));
    } catch (error) {
      notes.push(`${ours} vs ${peer}: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      await gs.setBackend('cpu');
    }
  };
  await pair('gradscope-webgpu', 'tfjs-webgpu', 'webgpu', 'webgpu');
  await pair('gradscope-cpu', 'tfjs-cpu', 'cpu', 'cpu');
  await pair('gradscope-cpu', 'tfjs-wasm', 'cpu', 'wasm');
  return { where: `${navigator.userAgent}; ${cores} cores, crossOriginIsolated = ${globalThis.crossOriginIsolated}`, adapter, engines, pairs, notes };
}

(globalThis as { runBrowserSuite?: typeof runBrowserSuite }).runBrowserSuite = runBrowserSuite;
