// PyTorch's CPU step in `npm run bench` (Node only): a long-lived Python process
// (bench/pytorch-worker.py) that runs the same workloads as gradscope's, from the same
// weights, inputs and labels, and times them itself, so the pipe is never inside a
// measurement. Measured only where a Python with torch is found (Debian: apt-get
// install python3-torch libopenblas0-pthread); otherwise the bench says why and goes on.
// The test suite never needs Python.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BATCH, EPOCH_IMAGES, gflops, matmulShapes, networkWeights, randomLabels, randomValues, SIMPLE_NETWORK, type EngineResult, type SuiteOptions, type Timing } from './workloads';

/** Which Pythons to try, in order: GRADSCOPE_BENCH_PYTHON alone when set, else python3 on the PATH, then Debian's. */
export function pythonCandidates(env: Record<string, string | undefined> = process.env): string[] {
  return env.GRADSCOPE_BENCH_PYTHON ? [env.GRADSCOPE_BENCH_PYTHON] : ['python3', '/usr/bin/python3'];
}

export interface PyTorch {
  /** e.g. "1.13.1 (/usr/bin/python3)". */
  version: string;
  setThreads(threads: number): Promise<void>;
  /** Loads the network and data for step() and measure(). */
  loadNetwork(layers?: readonly number[], batch?: number): Promise<void>;
  /** One training step, timed in Python: milliseconds and the loss (computed before the update). */
  step(): Promise<{ ms: number; loss: number }>;
  measure(engine: string, o: SuiteOptions): Promise<EngineResult>;
  close(): void;
}

/** Starts PyTorch, or resolves to the reason it cannot (no Python, no torch), naming what was tried. */
export async function startPyTorch(script: string, candidates = pythonCandidates()): Promise<PyTorch | string> {
  const failures: string[] = [];
  for (const python of candidates) {
    const started = await tryStart(python, script);
    if (typeof started !== 'string') return started;
    failures.push(`${python}: ${started}`);
  }
  return `no Python with torch (${failures.join('; ')}); on Debian: apt-get install -y python3-torch libopenblas0-pthread, or set GRADSCOPE_BENCH_PYTHON`;
}

async function tryStart(python: string, script: string): Promise<PyTorch | string> {
  const child = spawn(python, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code) => resolve(`exited with status ${code}${lastLine(stderr) ? `: ${lastLine(stderr)}` : ''}`));
  });
  const first = await Promise.race([lines.next().then((r) => (r.done ? null : r.value)), exited]);
  if (first === null || !first.startsWith('{')) {
    child.kill();
    return first ?? (await exited);
  }
  const hello = JSON.parse(first) as { torch: string };
  return session(child, lines, exited, `${hello.torch} (${python})`);
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

function session(child: ChildProcess, lines: AsyncIterator<string>, exited: Promise<string>, version: string): PyTorch {
  const request = async <T>(message: object): Promise<T> => {
    child.stdin!.write(`${JSON.stringify(message)}\n`);
    const line = await Promise.race([lines.next().then((r) => (r.done ? null : r.value)), exited]);
    if (line === null || !line.startsWith('{')) throw new Error(`the PyTorch process stopped: ${line ?? (await exited)}`);
    const reply = JSON.parse(line) as T & { error?: string };
    if (reply.error) throw new Error(`PyTorch: ${reply.error}`);
    return reply;
  };
  let dataDir: string | undefined;
  const api: PyTorch = {
    version,
    setThreads: async (n) => {
      const { threads } = await request<{ threads: number }>({ op: 'threads', n });
      if (threads !== n) throw new Error(`torch.set_num_threads(${n}) left ${threads} threads`);
    },
    loadNetwork: async (layers = SIMPLE_NETWORK, batch = BATCH) => {
      // The bench's weights ([in, out] per layer), inputs and labels (int32 bits), in one float32 file.
      dataDir ??= mkdtempSync(join(tmpdir(), 'gradscope-bench-torch-'));
      const file = join(dataDir, 'network.f32');
      const labels = new Float32Array(Int32Array.from(randomLabels(batch, layers[layers.length - 1], 4)).buffer);
      const parts = [...networkWeights(layers), randomValues(batch * layers[0], 3), labels];
      writeFileSync(file, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
      await request({ op: 'network', file, layers, batch });
    },
    step: () => request<{ ms: number; loss: number }>({ op: 'step' }),
    measure: async (engine, o) => {
      const log = o.log ?? (() => {});
      const layers = o.layers ?? SIMPLE_NETWORK;
      const batch = o.batch ?? BATCH;
      const timing = { warmup: o.warmup, reps: o.reps, minSampleMs: o.minSampleMs ?? 10 };
      const matmul: EngineResult['matmul'] = [];
      for (const s of matmulShapes(o.sizes, layers, batch)) {
        const ms = await request<Timing>({ op: 'matmul', m: s.m, k: s.k, n: s.n, ...timing });
        matmul.push({ ...s, ms, gflops: gflops(s, ms.median) });
        log(`${engine} matmul ${s.label}: ${ms.median.toFixed(2)} ms, ${gflops(s, ms.median).toFixed(2)} GFLOP/s`);
      }
      await api.loadNetwork(layers, batch);
      const ms = await request<Timing & { loss: number }>({ op: 'steps', ...timing });
      const epochSeconds = ((EPOCH_IMAGES / batch) * ms.median) / 1000;
      log(`${engine} train step: ${ms.median.toFixed(1)} ms (min ${ms.min.toFixed(1)}, max ${ms.max.toFixed(1)}), epoch ≈ ${epochSeconds.toFixed(1)} s`);
      const { loss, ...step } = ms;
      return { engine, matmul, trainStep: { ...step, loss, epochSeconds } };
    },
    close: () => {
      child.stdin!.end();
      child.kill();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return api;
}
