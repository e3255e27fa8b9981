// Every op and loss: gs.gradcheck (float64 finite differences against autograd) on
// random values, broadcasting pairs and size-1 dimensions, and the same forward and
// backward on the backend under test compared with the float64 CPU reference.
import { expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';
import { OP_CASES, caseValues, forwardBackward, referenceForwardBackward } from './op-cases';

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
