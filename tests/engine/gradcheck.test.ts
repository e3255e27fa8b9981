// Every op and loss: gs.gradcheck (float64 finite differences against autograd) on
// random values, broadcasting pairs and size-1 dimensions, and the same forward and
// backward on the backend under test compared with the float64 CPU reference.
import { expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';
import { OP_CASES, caseValues, forwardBackward, referenceForwardBackward } from './op-cases';
import { record } from '../../engine/autograd';
import type { Tensor } from '../../index';

function maxError(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
    worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
  }
  return worst;
}

describeBackends('every op and loss', (backend) => {
  it.each(OP_CASES.map((c, i) => [c.name, c, i] as const))('%s: gradcheck and agreement with the float64 reference', async (_, c, i) => {
    const values = caseValues(c, i + 1);
    const inputs = values.map((v, j) => gs.tensor(v, { shape: c.shapes[j] }));
    const result = await gs.gradcheck(c.fn, inputs);
    expect(result.ok, gs.describeGradcheck(result)).toBe(true);
    for (const t of inputs) t.dispose();

    const reference = await referenceForwardBackward(c, values);
    const actual = await forwardBackward(c, values);
    // float32 on the device against float64: a relative error of 1e-4 is generous.
    expect(maxError(actual.out, reference.out), `${c.name} forward on ${backend}`).toBeLessThan(1e-4);
    actual.grads.forEach((g, j) => {
      expect(maxError(g, reference.grads[j]), `${c.name} gradient of input ${j} on ${backend}`).toBeLessThan(1e-4);
    });
  });

  it('covers every op and loss named in issue 2', () => {
    const names = OP_CASES.map((c) => c.name.split(' ')[0]);
    for (const op of [
      'add', 'sub', 'mul', 'div', 'neg', 'exp', 'log', 'sqrt', 'pow', 'abs', 'clamp', 'maximum', 'minimum', 'matmul',
      'transpose', 'reshape', 'sum', 'mean', 'max', 'min', 'softmax', 'logSoftmax', 'relu', 'tanh', 'sigmoid', 'linear',
      'crossEntropy', 'mse', 'bceWithLogits',
    ]) {
      expect(names, op).toContain(op);
    }
  });
});

describeBackends('gradcheck itself', () => {
  /** x² with a deliberately wrong gradient rule (g·x instead of 2·g·x) on element `wrongAt`. */
  const squareWithWrongRule = (x: Tensor): Tensor => {
    const y = gs.noGrad(() => x.mul(x));
    return record(y, 'badSquare', [x], (g) => [g.mul(x).mul(gs.withBackend(x.backend, () => gs.tensor([2, 1, 2], { shape: [3] })))]);
  };

  it('catches a wrong gradient rule and says where: input, element, both derivatives', async () => {
    const x = gs.tensor([0.5, -1.5, 2]);
    const r = await gs.gradcheck(squareWithWrongRule, [x]);
    expect(r.ok).toBe(false);
    expect(r.worst).toMatchObject({ input: 0, index: 1 });
    expect(r.worst!.analytic).toBeCloseTo(-1.5 * projection(1), 6);
    expect(r.worst!.numeric).toBeCloseTo(-3 * projection(1), 5);
    expect(gs.describeGradcheck(r, ['x'])).toMatch(/FAILED.*at x\[1\]/);
  });

  it('passes zero gradients whose finite differences are rounding noise (absolute floor atol)', async () => {
    // d/dx of (x - x)·1000 + 50 is 0 everywhere; f is large so the noise is too.
    const r = await gs.gradcheck((x) => x.sub(x).mul(1000).add(50).sum(), [gs.tensor([1e-3, 2, -7])]);
    expect(r.ok, gs.describeGradcheck(r)).toBe(true);
    expect(r.worst!.analytic).toBe(0);
  });

  it('checks every input and every output element of a non-scalar output', async () => {
    const r = await gs.gradcheck((a, b) => a.mul(b), [gs.tensor([[1, 2], [3, 4]]), gs.tensor([5, 6])]);
    expect(r.ok).toBe(true);
    expect(r.maxRelativeError).toBeLessThan(1e-6);
  });
});

/** gradcheck's fixed projection weight for output element i. */
function projection(i: number): number {
  return 0.5 + ((i * 2654435761) % 1000) / 1000;
}
