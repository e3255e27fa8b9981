// `npm run soak`: 5,000 training steps on WebGPU (or --device cpu), reporting live
// device bytes, pooled bytes and JS heap every 500 steps; exits 1 if they grew after warm-up.
//   node bench/soak-run.mjs [--steps N] [--every N] [--device webgpu|cpu]
import * as esbuild from 'esbuild';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const steps = Number(arg('--steps', 5000));
const every = Number(arg('--every', 500));
const device = arg('--device', 'webgpu');

await esbuild.build({
  entryPoints: [resolve(root, 'bench/soak.ts')], outfile: resolve(root, 'dist/bench/soak.mjs'),
  bundle: true, format: 'esm', platform: 'node', packages: 'external', logLevel: 'warning', target: 'es2022',
});
const gs = await import(pathToFileURL(resolve(root, 'dist/index.js')).href);
const { runSoak } = await import(pathToFileURL(resolve(root, 'dist/bench/soak.mjs')).href);
console.log(`soak: ${steps} steps on ${await gs.setBackend(device)}`);
const kb = (b) => (b / 1024).toFixed(1).padStart(9);
console.log('    step    live KiB  pooled KiB  buffers   heap KiB    loss');
const samples = await runSoak({
  steps, every,
  onSample: (s) => console.log(`${String(s.step).padStart(8)}  ${kb(s.liveBytes)}   ${kb(s.pooledBytes)}   ${String(s.liveBuffers).padStart(6)}  ${kb(s.heapBytes)}  ${s.loss.toFixed(4)}`),
});
// Flat after warm-up: compare the last sample with the first (the warm-up sample).
const first = samples[0];
const last = samples[samples.length - 1];
const grew = last.liveBytes > first.liveBytes || last.pooledBytes > first.pooledBytes || last.heapBytes > first.heapBytes + 32 * 2 ** 20;
console.log(grew ? 'soak: memory GREW after warm-up' : 'soak: live, pooled and heap memory flat after warm-up');
process.exit(grew ? 1 : 0);
