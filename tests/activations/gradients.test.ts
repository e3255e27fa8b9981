// Gradients: every elementwise built-in (and its trainable parameters) passes a float64
// gradcheck; the backend's parameter gradients match the CPU reference; softmax's backward equals its full Jacobian applied to the upstream gradient.
import { expect, it } from 'vitest';
import * as gs from '../../index';
import { defaultParamValues, paramLayout, type ActivationSpec } from '../../engine/activation-spec';
import { activation as activationOp } from '../../engine/ops';
import { cpuBackend, withBackend } from '../../engine/backend-registry';
import type { Tensor } from '../../engine/tensor';
import { describeBackends, maxRelDiff } from '../helpers/backends';

const elementwise = () => gs.activations.names().map((n) => gs.activations.get(n)).filter((s) => s.kind !== 'output');

/** n points spread over the spec's range, each at least 0.02 from a kink. */
function pointsAwayFromKinks(spec: ActivationSpec, n: number): number[] {
  const defaults = Object.fromEntries((spec.params ?? []).map((p, i) => [p.name, defaultParamValues(p, paramLayout(spec)[i].length)]));
  const kinks = spec.kinks?.(defaults) ?? [];
  const [lo, hi] = spec.range;
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    let x = lo + ((hi - lo) * (i + 0.37)) / n;
    while (kinks.some((k) => Math.abs(x - k) < 0.02)) x += 0.05;
    xs.push(x);
  }
  return xs;
}

/** Run spec on x with the given parameter tensors in spec order (trainable ones from `trainable`). */
function applySpec(spec: ActivationSpec, x: Tensor, trainable: Tensor[]): Tensor {
  const layout = paramLayout(spec);
  let t = 0;
  const params = (spec.params ?? []).map((p, i) =>
    p.trainable ? trainable[t++] : gs.tensor(defaultParamValues(p, layout[i].length)),
  );
  return activationOp(x, { spec, layout, params });
}

describeBackends('activation gradients', (backend) => {
  it('every elementwise built-in passes gradcheck in x and in each trainable parameter', async () => {
    for (const spec of elementwise()) {
      const layout = paramLayout(spec);
      const x = gs.tensor(pointsAwayFromKinks(spec, 9));
      const trainable = (spec.params ?? [])
        .map((p, i) => (p.trainable ? gs.tensor(defaultParamValues(p, layout[i].length)) : null))
        .filter((t): t is Tensor => t !== null);
      const r = await gs.gradcheck((xi, ...ps) => applySpec(spec, xi, ps), [x, ...trainable]);
      expect(r.ok, `${spec.name}: ${gs.describeGradcheck(r)}`).toBe(true);
    }
  });

  it('prelu with one weight per channel: gradcheck and per-channel gradients', async () => {
    const spec = gs.activations.get('prelu');
    const x = gs.tensor([[-1, 2, -3, 0.5], [1.5, -0.5, -2, -1]]);
    const w = gs.tensor([0.1, 0.2, 0.3, 0.4]);
    const layout = paramLayout(spec, 4);
    const r = await gs.gradcheck((xi, wi) => activationOp(xi, { spec, layout, params: [wi] }), [x, w]);
    expect(r.ok, gs.describeGradcheck(r)).toBe(true);
    // On the backend under test: ∂(Σy)/∂wⱼ = Σ over channel j of the negative x.
    const module = gs.activation('prelu', { channels: 4, weight: [0.1, 0.2, 0.3, 0.4] });
    const xt = gs.tensor([[-1, 2, -3, 0.5], [1.5, -0.5, -2, -1]], { requiresGrad: true });
    module.forward(xt).sum().backward();
    const [weight] = module.parameters();
    expect(Array.from(await weight.grad!.toArray())).toEqual([-1, -0.5, -5, -1]);
    expect(Object.keys(module.stateDict())).toEqual(['weight']);
    expect(Array.from(await xt.grad!.toArray())).toEqual([0.1, 1, 0.3, 1, 1, 0.2, 0.3, 0.4].map(Math.fround));
  });

  it('trainable parameters: gradients on this backend match the CPU reference', async () => {
    const trainableSpecs = elementwise().filter((s) => (s.params ?? []).some((p) => p.trainable));
    expect(trainableSpecs.map((s) => s.name).sort()).toEqual(
      ['adaptive_sigmoid', 'bspline', 'prelu', 'rational', 'staf', 'swish_trainable', 'trainable_elu'].sort(),
    );
    for (const spec of trainableSpecs) {
      const xs = [...pointsAwayFromKinks(spec, 16), 40, -40, 1e4, -1e4];
      const weights = xs.map((_, i) => 0.5 + ((i * 7) % 5) / 5);
      const run = async () => {
        const module = gs.activation(spec.name);
        const x = gs.tensor(xs, { requiresGrad: true });
        module.forward(x).mul(gs.tensor(weights)).sum().backward();
        return Promise.all([x, ...module.parameters()].map(async (t) => Array.from(await t.grad!.toArray())));
      };
      const got = await run();
      const want = await withBackend(cpuBackend(), run);
      got.forEach((g, i) => {
        const d = maxRelDiff(g, want[i]);
        expect(d, `${spec.name} grad ${i}: ${g} vs cpu ${want[i]}`).toBeLessThanOrEqual(backend === 'cpu' ? 0 : 2e-4);
      });
    }
  });

  it("softmax's backward equals its full Jacobian times the upstream gradient, on both axes", async () => {
    const xv = [[0.2, -1.0, 2.5, 0.7], [3.0, 3.0, -4.0, 0.0], [100, -100, 50, 99]];
    const gv = [[0.3, -0.2, 1.1, 0.5], [-1.0, 0.4, 0.9, 0.2], [0.6, 0.1, -0.7, 1.3]];
    for (const axis of [-1, 0]) {
      const sm = gs.activation('softmax', { axis });
      const x = gs.tensor(xv, { requiresGrad: true });
      const y = sm.forward(x);
      y.backward(gs.tensor(gv));
      const yv = Array.from(await y.toArray());
      const dx = Array.from(await x.grad!.toArray());
      // Independent: each slice's Jacobian Jᵢⱼ = yᵢ(δᵢⱼ − yⱼ) from float64 softmax; dx = Jᵀg.
      const rows = 3;
      const cols = 4;
      const slices = axis === -1 ? Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => r * cols + c))
        : Array.from({ length: cols }, (_, c) => Array.from({ length: rows }, (_, r) => r * cols + c));
      const flatX = xv.flat();
      const flatG = gv.flat();
      const expectedY = new Array<number>(rows * cols);
      const expectedDx = new Array<number>(rows * cols);
      for (const idx of slices) {
        const m = Math.max(...idx.map((i) => flatX[i]));
        const e = idx.map((i) => Math.exp(flatX[i] - m));
        const s = e.reduce((a, b) => a + b, 0);
        const p = e.map((v) => v / s);
        idx.forEach((i, a) => {
          expectedY[i] = p[a];
          let sum = 0;
          idx.forEach((j, b) => (sum += p[b] * ((a === b ? 1 : 0) - p[a]) * flatG[j]));
          expectedDx[i] = sum;
        });
      }
      expect(maxRelDiff(yv, expectedY), `softmax axis ${axis} forward`).toBeLessThan(1e-6);
      expect(maxRelDiff(dx, expectedDx), `softmax axis ${axis} backward`).toBeLessThan(1e-6);
    }
    const r = await gs.gradcheck((x) => x.softmax(-1), [gs.tensor(xv.slice(0, 2))]);
    expect(r.ok, gs.describeGradcheck(r)).toBe(true);
  });
});
