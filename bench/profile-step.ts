// Where a gradscope training step spends its time, per backend method (CPU) or per
// WebGPU kernel: `node bench/run.mjs` reports totals; this reports the breakdown.
//
//   npm run bench -- --node-only --quick   (builds dist/bench/profile-step.mjs), then
//   node dist/bench/profile-step.mjs [cpu|webgpu] [steps] [threads (cpu; default every core)]
//
// CPU: each Backend method is wrapped and timed (the matmul shapes are told apart).
// WebGPU: each dispatch is counted by kernel; then, in a second pass, every dispatch is
// submitted alone and its completion awaited, so the gap between completions is that
// kernel's run time on the device (plus one submit's overhead: an upper bound).

import '../cli/wasm-features'; // relaxed SIMD on Node 20 too, as `gradscope` runs
import * as gs from '../index';
import { gradscopeTrainStep } from './workloads';

interface Tally {
  ms: number;
  calls: number;
}

function add(stats: Map<string, Tally>, key: string, ms: number): void {
  const t = stats.get(key) ?? { ms: 0, calls: 0 };
  t.ms += ms;
  t.calls++;
  stats.set(key, t);
}

function print(title: string, stats: Map<string, Tally>, steps: number): void {
  console.log(`\n${title} (per step)`);
  let total = 0;
  for (const [key, t] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) {
    total += t.ms;
    console.log(`  ${key.padEnd(58)} ${(t.ms / steps).toFixed(2).padStart(8)} ms  ${(t.calls / steps).toFixed(1).padStart(5)} calls`);
  }
  console.log(`  ${'total'.padEnd(58)} ${(total / steps).toFixed(2).padStart(8)} ms`);
}

async function profileCpu(steps: number, threads: number | undefined): Promise<void> {
  await gs.setBackend('cpu', threads === undefined ? {} : { threads });
  const backend = gs.getBackend() as unknown as Record<string, unknown>;
  const stats = new Map<string, Tally>();
  let depth = 0;
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(backend))) {
    const original = backend[name];
    if (typeof original !== 'function' || name === 'constructor') continue;
    backend[name] = function (this: unknown, ...args: unknown[]) {
      // Only the outermost call counts (linear calls matmul).
      depth++;
      const start = performance.now();
      try {
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } finally {
        depth--;
        const key = name === 'matmul' ? `matmul ${args[2]}×${args[3]}·${args[3]}×${args[4]} transA=${args[5]} transB=${args[6]}` : name;
        if (depth === 0) add(stats, key, performance.now() - start);
      }
    };
  }
  const step = gradscopeTrainStep(gs);
  for (let i = 0; i < 3; i++) await step.run();
  stats.clear();
  const start = performance.now();
  for (let i = 0; i < steps; i++) await step.run();
  console.log(`cpu: ${((performance.now() - start) / steps).toFixed(1)} ms per step`);
  print('cpu backend methods', stats, steps);
  step.dispose();
}

async function profileWebgpu(steps: number): Promise<void> {
  console.log(await gs.setBackend('webgpu'));
  const backend = gs.getBackend() as unknown as {
    run: (key: string, ...rest: unknown[]) => void;
    flush: () => void;
    device: GPUDevice;
  };
  const run = backend.run;
  const flush = backend.flush;
  const counts = new Map<string, Tally>();
  let submits = 0;
  let alone = false;
  const pending: Promise<void>[] = [];
  const timings = new Map<string, Tally>();
  let last = 0;
  backend.flush = function (this: unknown) {
    submits++;
    flush.call(this);
  };
  backend.run = function (this: unknown, kernel: string, ...rest: unknown[]) {
    const u = rest[2] as { m?: number; k?: number; n?: number };
    // Cache keys embed the activation's WGSL after '#': keep the readable part.
    const name = kernel.split('#')[0];
    const key = u.m !== undefined ? `${name} ${u.m}×${u.k}·${u.k}×${u.n}` : name;
    add(counts, key, 0);
    run.call(this, kernel, ...rest);
    if (alone) {
      // Submit this dispatch by itself; its completion time minus the previous one's is its cost.
      flush.call(this);
      pending.push(
        backend.device.queue.onSubmittedWorkDone().then(() => {
          const now = performance.now();
          add(timings, key, now - last);
          last = now;
        }),
      );
    }
  };
  const step = gradscopeTrainStep(gs);
  for (let i = 0; i < 3; i++) await step.run();
  counts.clear();
  submits = 0;
  const start = performance.now();
  for (let i = 0; i < steps; i++) await step.run();
  console.log(`webgpu: ${((performance.now() - start) / steps).toFixed(1)} ms per step, ${(submits / steps).toFixed(1)} submits per step`);
  print('dispatches by kernel', counts, steps);
  alone = true;
  for (let i = 0; i < steps; i++) {
    await backend.device.queue.onSubmittedWorkDone();
    last = performance.now();
    await step.run();
    await Promise.all(pending.splice(0));
  }
  print('device time by kernel, each dispatch submitted alone', timings, steps);
  step.dispose();
}

const [which = 'webgpu', stepsText = '5', threadsText] = process.argv.slice(2);
const steps = Number(stepsText);
if (which === 'cpu') await profileCpu(steps, threadsText === undefined ? undefined : Number(threadsText));
else await profileWebgpu(steps);
process.exit(0);
