// Every built-in written in two languages: its WGSL (run by WebGPU on Dawn) agrees with
// its TypeScript (run by the CPU backend) in float32, for f and f', at the extremes
// (|x| up to 1e4), near 0 (relative, where the values themselves are tiny) and on a
// dense grid, with the default parameters. Every hand-written built-in agrees to 4e-6
// in the house norm, so none has a tolerance of its own. (In the norm's absolute range
// the derivatives read from the output differ more relatively, as PyTorch's do: y(1 − y)
// and y + λα cancel once y rounds in float32: a few 1e-8 apart, all of it far in the tails.)
import { describe, expect, it } from 'vitest';
import * as gs from '../../index';
import { paramLayout, defaultParamValues, type ActivationSpec } from '../../engine/activation-spec';
import { activation as activationOp } from '../../engine/ops';
import { cpuBackend, withBackend } from '../../engine/backend-registry';

/** The house norm, |webgpu − cpu| / max(1, |cpu|): relative above 1, absolute below. */
const AGREEMENT = 4e-6;

const magnitudes = [1e-30, 1e-12, 1e-7, 1e-5, 1e-3, 0.01, 0.1, 0.5, 1, 1.5, 2, 3, 5, 6, 10, 20, 30, 50, 87, 88.5, 89, 100, 300, 1e3, 3e3, 1e4];
const XS = Float32Array.from([0, ...magnitudes, ...magnitudes.map((m) => -m), ...Array.from({ length: 401 }, (_, i) => -10 + i / 20)]);

async function run(spec: ActivationSpec): Promise<[Float32Array, Float32Array]> {
  const layout = paramLayout(spec);
  const params = (spec.params ?? []).map((p, i) => gs.tensor(defaultParamValues(p, layout[i].length)));
  const x = gs.tensor(XS, { requiresGrad: true });
  const y = activationOp(x, { spec, layout, params });
  y.sum().backward();
  const out = await Promise.all([y.toArray(), x.grad!.toArray()]);
  gs.dispose(x, y, ...params);
  return out as [Float32Array, Float32Array];
}

interface Worst {
  error: number;
  x: number;
  gpu: number;
  cpu: number;
}

function worst(gpu: Float32Array, cpu: Float32Array, measure: (g: number, c: number, x: number) => number): Worst {
  let w: Worst = { error: 0, x: 0, gpu: 0, cpu: 0 };
  XS.forEach((x, i) => {
    const e = measure(gpu[i], cpu[i], x);
    if (!(e <= w.error)) w = { error: Number.isNaN(e) ? Infinity : e, x, gpu: gpu[i], cpu: cpu[i] };
  });
  return w;
}

const house = (g: number, c: number) => Math.abs(g - c) / Math.max(1, Math.abs(c));
/** Relative, for |x| ≤ 1e-3 where |cpu| is tiny but not 0: an absolute norm would pass anything there. */
const nearZero = (g: number, c: number, x: number) => (x !== 0 && Math.abs(x) <= 1e-3 && Math.abs(c) >= 1e-30 && Math.abs(c) < 1 ? Math.abs(g - c) / Math.abs(c) : 0);

describe('built-ins written in two languages: WGSL agrees with TypeScript in float32 [webgpu]', () => {
  const handWritten = gs.activations.elementwiseNames().filter((n) => gs.activations.get(n).handWritten !== undefined);

  it('covers the hand-written built-ins', () => {
    expect(handWritten.length).toBeGreaterThanOrEqual(15);
  });

  for (const name of handWritten) {
    it(`${name}: f and f' at |x| up to 1e4, near 0 and on a dense grid`, async () => {
      await gs.setBackend('webgpu');
      const spec = gs.activations.get(name);
      const [gpuF, gpuDf] = await run(spec);
      const [cpuF, cpuDf] = await withBackend(cpuBackend(), () => run(spec));
      const report: string[] = [];
      for (const [what, gpu, cpu] of [['f', gpuF, cpuF], ["f'", gpuDf, cpuDf]] as const) {
        const all = worst(gpu, cpu, house);
        const small = worst(gpu, cpu, nearZero);
        report.push(`${name} ${what}: worst ${all.error.toExponential(2)} at x = ${all.x} (webgpu ${all.gpu}, cpu ${all.cpu}); near 0 ${small.error.toExponential(2)} at x = ${small.x}`);
        expect(all.error, `${name} ${what}(${all.x}): webgpu ${all.gpu}, cpu ${all.cpu}`).toBeLessThanOrEqual(AGREEMENT);
        expect(small.error, `${name} ${what}(${small.x}) relative: webgpu ${small.gpu}, cpu ${small.cpu}`).toBeLessThanOrEqual(AGREEMENT);
      }
      console.log(report.join('\n'));
    });
  }
});
