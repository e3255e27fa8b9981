// Measures what a training step of each built-in activation costs relative to relu's, on
// the CPU backend, for the shard cost table (experiment/step-costs.ts). Run after a build:
//
//   npm run build && node scripts/measure-step-costs.mjs [rounds] [steps]
//
// The step is the quick protocol's: SimpleNetwork 784-256-192-128-64-10, batch 128, SGD
// with momentum, a fixed random batch. Other processes share a machine's cores and their
// load drifts, so the activations are timed in alternation, round after round, each
// against the relu step of its own round, and the median ratio over the rounds is kept
// (after a first round that warms the JIT and the WebAssembly kernels up).
import * as gs from '../dist/index.js';

const rounds = Number(process.argv[2] ?? 5);
const steps = Number(process.argv[3] ?? 8);
await gs.setBackend('cpu');

const names = [...gs.activations.elementwiseNames(), 'none'];
const batch = 128;
const x = gs.tensor(Float32Array.from({ length: batch * 784 }, (_, i) => Math.sin(i * 12.9898) * 0.5), { shape: [batch, 784] });
const y = Int32Array.from({ length: batch }, (_, i) => i % 10);

/** Seconds per step of `name` (after one warm-up step). */
async function secondsPerStep(name) {
  const model = gs.nn.mlp({ input: 784, hidden: [256, 192, 128, 64], output: 10, activation: name === 'none' ? undefined : name, noActivation: name === 'none', seed: 1 });
  const optimizer = new gs.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const step = async () => {
    optimizer.zeroGrad();
    const loss = gs.losses.crossEntropy(model.forward(x), y);
    loss.backward();
    optimizer.step();
    await loss.item();
    loss.dispose();
  };
  await step();
  const started = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - started) / 1000 / steps;
  optimizer.dispose();
  model.dispose();
  return seconds;
}

// A first round warms up the JIT and the WebAssembly kernels; it is not counted.
for (const name of names) await secondsPerStep(name);
const ratios = Object.fromEntries(names.map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  const seconds = {};
  for (const name of names) seconds[name] = await secondsPerStep(name);
  for (const name of names) ratios[name].push(seconds[name] / seconds.relu);
  process.stderr.write(`round ${round + 1}/${rounds}: relu ${(1000 * seconds.relu).toFixed(1)} ms/step\n`);
}
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
const table = names.map((name) => [name, Math.round(10 * median(ratios[name])) / 10]).sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
for (const [name, ratio] of table) console.log(`  ${name}: ${ratio},`);
