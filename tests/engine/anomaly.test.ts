// gs.detectAnomaly(fn): the first op whose forward or backward produces NaN or Inf is
// reported with its name, its input shapes and the line of user code that called it.
import { describe, expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';

async function anomalyOf(fn: () => unknown): Promise<gs.AnomalyError> {
  try {
    await gs.detectAnomaly(fn);
  } catch (e) {
    expect(e).toBeInstanceOf(gs.AnomalyError);
    return e as gs.AnomalyError;
  }
  throw new Error('detectAnomaly did not report an anomaly');
}

describeBackends('detectAnomaly', (backend) => {
  it('names the first forward op that produced NaN, its input shapes and the calling line of this file', async () => {
    const e = await anomalyOf(() => {
      const x = gs.tensor([[1, -2, 3], [4, 5, 6]]);
      const y = x.mul(2); // finite
      const bad = y.log(); // log(-4) = NaN: the first anomaly
      return bad.sqrt().sum(); // NaN flows on; not the first
    });
    expect(e.op).toBe('log');
    expect(e.phase).toBe('forward');
    expect(e.inputShapes).toEqual([[2, 3]]);
    expect(e.location).toContain('anomaly.test.ts');
    expect(e.message).toMatch(/op 'log' produced NaN at flat index 1; input shapes \[2, 3\]/);
    expect(e.message).toContain('anomaly.test.ts:');
    expect(Number.isNaN(e.found.value)).toBe(true);
    if (backend === 'cpu') expect(e.message).not.toMatch(/after the fact/);
    else expect(e.message).toMatch(/after the fact/);
  });

  it('reports Inf from a forward op too (exp overflow in float32; division by zero)', async () => {
    const e = await anomalyOf(() => gs.tensor([1, 100]).exp());
    expect(e.op).toBe('exp');
    expect(e.found).toMatchObject({ value: Infinity, index: 1 });
    const d = await anomalyOf(() => gs.div(gs.ones([2, 2]), gs.tensor([1, 0])));
    expect(d.op).toBe('div');
    expect(d.inputShapes).toEqual([[2, 2], [2]]);
  });

  it('reports a backward rule that produced a non-finite gradient, with the forward call site', async () => {
    // sqrt(0) is 0 (finite), but its gradient 1 / (2 sqrt 0) is Inf.
    const e = await anomalyOf(() => {
      const x = gs.tensor([0, 4], { requiresGrad: true });
      const loss = x.sqrt().sum();
      loss.backward();
    });
    expect(e.op).toBe('sqrt');
    expect(e.phase).toBe('backward');
    expect(e.inputShapes).toEqual([[2]]);
    expect(e.found).toMatchObject({ value: Infinity, index: 0, inputIndex: 0 });
    expect(e.location).toContain('anomaly.test.ts');
    expect(e.message).toMatch(/the backward of op 'sqrt' produced Infinity in the gradient of input 0/);
  });

  it('passes fn\'s result through when everything is finite, for sync and async fns', async () => {
    const v = await gs.detectAnomaly(() => {
      const x = gs.tensor([1, 2], { requiresGrad: true });
      const loss = x.exp().log().mul(x).sum();
      loss.backward();
      return 42;
    });
    expect(v).toBe(42);
    const w = await gs.detectAnomaly(async () => gs.tensor([1, 4]).sqrt().toArray());
    expect(Array.from(w)).toEqual([1, 2]);
  });

  it('an op in a composite loss is named: bceWithLogits with an Inf logit', async () => {
    const e = await anomalyOf(() => gs.losses.bceWithLogits(gs.tensor([Infinity, 0]), gs.tensor([1, 0])));
    // max(x, 0) with x = Inf gives Inf: the first op of the stable formula.
    expect(e.op).toBe('maximum');
    expect(e.location).toContain('anomaly.test.ts');
  });

  it('leaves no device copies behind and stops observing when it returns or throws', async () => {
    const before = gs.memory().liveBuffers;
    await anomalyOf(() => gs.tensor([-1]).log());
    await gs.detectAnomaly(() => gs.tensor([1]).log());
    // Only the tensors the fns made are still alive (they are not disposed by detectAnomaly): 2 inputs + 2 outputs.
    expect(gs.memory().liveBuffers - before).toBeLessThanOrEqual(4);
    // outside detectAnomaly nothing is checked
    expect(() => gs.tensor([-1]).log()).not.toThrow();
  });
});

describe('detectAnomaly on the CPU throws at the op itself', () => {
  it('nothing after the culprit runs', async () => {
    await gs.setBackend('cpu');
    let reached = false;
    await expect(
      gs.detectAnomaly(() => {
        gs.tensor([0]).log().neg();
        reached = true;
      }),
    ).rejects.toThrow(/op 'log' produced -Infinity/);
    expect(reached).toBe(false);
  });
});
