// Turns on WebAssembly relaxed SIMD in Node 20 and 21, where V8 (11.3, 11.8) has it behind
// a flag; Node ≥ 22 and Chrome ≥ 114 have it on. The CPU backend's matmul and STAF's sine
// sums then multiply-add with relaxed_madd, fused where the CPU has FMA: STAF's kernels
// ran 1.26× as fast on the 2-core EPYC (one process, alternating), so that `gradscope`
// computes the same numbers, at the same speed, on 20 as on 22. Imported first by
// cli/main.ts: the kernels probe for relaxed SIMD once, on first use, and must see the flag.
// (Both kernels of each are tested, against float64, in tests/engine/cpu-matmul-threads and
// sine-sum-threads, on this Node with this flag.)
import { setFlagsFromString } from 'node:v8';

const major = Number(process.versions.node.split('.')[0]);
if (major === 20 || major === 21) setFlagsFromString('--experimental-wasm-relaxed-simd');
