// What a trainable activation costs a CPU training step, against ReLU's, in one process:
// SimpleNetwork 784-256-192-128-64-10, batch 128, SGD momentum 0.9, the same weights and
// batch for every activation, steps of the two timed alternately (so both see the same
// machine load) and the median of the per-pair ratios reported (as bench/run.mjs does, so
// load that changes during the run moves both sides of a ratio alike). A trainable activation is ONE
// module shared by all four hidden layers (the "Deep Learning DNA" chapter's
// SimpleNetwork), or one per layer with `--per-layer`.
//
//   npm run bench:activations -- [--reps N] [--per-layer] [--backend cpu|webgpu] [--threads N] [--cpu-time] [name[:key=value,...] ...]
//
// --cpu-time times each step by the process's CPU time (process.cpuUsage: every thread,
// the matmul's helpers included) instead of the wall clock: on a machine that other work
// is sharing, a step's CPU time hardly moves where its wall time doubles.
//
// A timing, not a test: the suite never asserts on it.
//
// Default activations: staf:terms=25,init=normal (the chapter's), staf (5 terms),
// rational, bspline, prelu, trainable_elu, swish_trainable, adaptive_sigmoid, gelu.

import '../cli/wasm-features'; // relaxed SIMD on Node 20 too, as `gradscope` runs
import * as gs from '../index';
import { SIMPLE_NETWORK, BATCH, stepRunner } from './workloads';
import { Random } from '../engine/random';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const reps = Number(option('--reps') ?? 15);
const perLayer = args.includes('--per-layer');
const cpuTime = args.includes('--cpu-time');
/** Milliseconds of the chosen clock: the wall's, or the process's CPU time (user + system, every thread). */
const now = cpuTime
  ? () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    }
  : () => performance.now();
const backendName = option('--backend') ?? 'cpu';
const threads = option('--threads') === undefined ? undefined : Number(option('--threads'));
const valued = new Set(['--reps', '--backend', '--threads']);
const named = args.filter((a, i) => !a.startsWith('--') && !valued.has(args[i - 1]));
const DEFAULTS = ['staf:terms=25,init=normal', 'staf', 'rational', 'bspline', 'prelu', 'trainable_elu', 'swish_trainable', 'adaptive_sigmoid', 'gelu'];

/** 'staf:terms=25,init=normal' → the name and its options (numbers where they read as numbers). */
function parseChoice(text: string): { name: string; params: Record<string, number | string> } {
  const [name, rest = ''] = text.split(':');
  const params: Record<string, number | string> = {};
  for (const item of rest.split(',').filter(Boolean)) {
    const [key, value] = item.split('=');
    params[key] = Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return { name, params };
}

function trainStep(choice: string) {
  const { name, params } = parseChoice(choice);
  const layers = SIMPLE_NETWORK;
  const shared = gs.activation(name, { ...params, ...(params.init === 'normal' ? { seed: 7 } : {}) });
  const modules: gs.nn.Module[] = [];
  for (let i = 0; i + 1 < layers.length; i++) {
    modules.push(new gs.nn.Linear(layers[i], layers[i + 1], { seed: 10 + i }));
    if (i + 2 < layers.length) modules.push(perLayer ? gs.activation(name, { ...params, ...(params.init === 'normal' ? { seed: 7 + i } : {}) }) : shared);
  }
  const model = new gs.nn.Sequential(...modules);
  // A shared module appears after every hidden layer: its parameters are updated once.
  const optimizer = new gs.optim.SGD([...new Set(model.parameters())], { lr: 0.001, momentum: 0.9 });
  const rng = new Random(3);
  const x = gs.tensor(Float32Array.from({ length: BATCH * layers[0] }, () => rng.uniform() * 2 - 1), { shape: [BATCH, layers[0]] });
  const labels = Array.from({ length: BATCH }, () => rng.int(layers[layers.length - 1]));
  return stepRunner(gs, model, optimizer, x, labels);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

console.log(await gs.setBackend(backendName as 'cpu', threads === undefined ? {} : { threads }));
console.log(`${gs.getBackend().description}; SimpleNetwork ${SIMPLE_NETWORK.join('-')}, batch ${BATCH}; ` +
  `trainable activations: ${perLayer ? 'one module per hidden layer' : 'one module shared by the 4 hidden layers'}; medians of ${reps} alternating steps (${cpuTime ? 'CPU time' : 'wall time'}), ratio = median of the per-pair ratios`);
const relu = trainStep('relu');
for (const choice of named.length > 0 ? named : DEFAULTS) {
  const other = trainStep(choice);
  for (let i = 0; i < 3; i++) {
    await relu.run();
    await other.run();
  }
  const reluMs: number[] = [];
  const otherMs: number[] = [];
  for (let i = 0; i < reps; i++) {
    let t = now();
    await relu.run();
    reluMs.push(now() - t);
    t = now();
    await other.run();
    otherMs.push(now() - t);
  }
  const [a, b] = [median(reluMs), median(otherMs)];
  const ratio = median(otherMs.map((ms, i) => ms / reluMs[i]));
  console.log(`${choice.padEnd(28)} ${b.toFixed(1).padStart(7)} ms   relu ${a.toFixed(1).padStart(6)} ms   ratio ${ratio.toFixed(2)}`);
}
process.exit(0);
