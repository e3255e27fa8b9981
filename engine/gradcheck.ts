// gradcheck: compare autograd's gradients with central finite differences, both in
// float64 on the CPU backend, whatever backend the inputs came from.

import { CpuBackend } from './backends/cpu';
import { withBackend } from './backend-registry';
import { Tensor } from './tensor';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Pass when every relative error is below this (default 1e-4). */
  tolerance?: number;
  /**
   * Absolute tolerance for derivatives near zero (default 1e-5, as torch.autograd.gradcheck):
   * a derivative passes when |a − n| ≤ max(tolerance·|a|, tolerance·|n|, atol). Without it,
   * the rounding noise of finite differences (about 1e-16·|f| / eps) fails gradients that
   * are zero.
   */
  atol?: number;
}

export interface GradcheckResult {
  ok: boolean;
  /**
   * The worst error over every input element: |a − n| / max(|a|, |n|, atol / tolerance),
   * the relative error, measured against atol / tolerance for derivatives near zero.
   * It is ≤ tolerance exactly when every derivative passes.
   */
  maxRelativeError: number;
  /** Where it occurred: input index, flat element index, the two derivatives. */
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
  tolerance: number;
}

const f64 = new CpuBackend(Float64Array);

/** The float64 CPU backend that gradient checks run on. */
export function float64Backend(): CpuBackend {
  return f64;
}

/**
 * Check fn's gradient with respect to each input. fn receives float64 copies of the
 * inputs (requiring gradients) and returns a tensor; a non-scalar output is summed
 * against fixed random weights, so every output element is checked.
 */
export async function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): Promise<GradcheckResult> {
  const { eps = 1e-6, tolerance = 1e-4, atol = 1e-5 } = options;
  const values = await Promise.all(inputs.map(async (t) => Float64Array.from(await t.data())));

  const evaluate = (vals: Float64Array[], withGrad: boolean): { out: number; grads: Float64Array[] } => {
    return withBackend(f64, () => {
      const xs = vals.map((v, i) => Tensor.fromStorage(f64, f64.upload(v), inputs[i].shape, withGrad));
      let y = fn(...xs);
      if (!(y instanceof Tensor)) throw new Error('gradcheck: fn must return a Tensor');
      if (y.backend !== f64) throw new Error(`gradcheck: fn returned a tensor on '${y.backend.name}': make new tensors inside fn (they go to the float64 backend)`);
      if (y.size !== 1) y = y.mul(projection(y)).sum();
      const out = f64.hostValues(y.storage)[0];
      let grads: Float64Array[] = [];
      if (withGrad) {
        y.backward();
        grads = xs.map((x) => (x.grad ? Float64Array.from(f64.hostValues(x.grad.storage)) : new Float64Array(x.size)));
      }
      return { out, grads };
    });
  };

  const analytic = evaluate(values, true).grads;
  let worst: GradcheckResult['worst'] = null;
  let maxRelativeError = 0;
  values.forEach((v, inputIndex) => {
    for (let i = 0; i < v.length; i++) {
      const original = v[i];
      const h = eps * Math.max(1, Math.abs(original));
      v[i] = original + h;
      const plus = evaluate(values, false).out;
      v[i] = original - h;
      const minus = evaluate(values, false).out;
      v[i] = original;
      const numeric = (plus - minus) / (2 * h);
      const a = analytic[inputIndex][i];
      const error = Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), atol / tolerance);
      const e = Number.isNaN(error) ? Infinity : error;
      if (worst === null || e > maxRelativeError) {
        maxRelativeError = e;
        worst = { input: inputIndex, index: i, analytic: a, numeric };
      }
    }
  });
  return { ok: maxRelativeError <= tolerance, maxRelativeError, worst, tolerance };
}

/** Fixed pseudo-random weights in [0.5, 1.5) so a summed output checks every element. */
function projection(y: Tensor): Tensor {
  const w = new Float64Array(y.size);
  for (let i = 0; i < w.length; i++) w[i] = 0.5 + ((i * 2654435761) % 1000) / 1000;
  return Tensor.fromStorage(f64, f64.upload(w), y.shape);
}

export function describeGradcheck(r: GradcheckResult, names?: string[]): string {
  if (!r.worst) return `gradcheck: nothing to check`;
  const input = names?.[r.worst.input] ?? `input ${r.worst.input}`;
  return `gradcheck ${r.ok ? 'passed' : 'FAILED'}: worst relative error ${r.maxRelativeError.toExponential(3)} at ${input}[${r.worst.index}] (autograd ${r.worst.analytic}, finite differences ${r.worst.numeric}; tolerance ${r.tolerance})`;
}
