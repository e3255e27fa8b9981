// The benchmark's code path on tiny sizes, so `npm run bench` keeps working: the same
// workloads on gradscope's CPU backend and tfjs-backend-cpu, with a small network. No
// timing assertions: it checks that every measure is produced and that both libraries
// compute the same loss for the same network and inputs.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import * as gs from '../../index';
import { gradscopeFactories, matmulShapes, measureEngine, measurePair, randomValues, tfjsFactories, time, timePair } from '../../bench/workloads';

const layers = [12, 8, 6, 4];
const options = { sizes: [4, 8], layers, batch: 5, warmup: 1, reps: 3, now: () => performance.now(), minSampleMs: 0 };

describe('bench workloads', () => {
  it('lists the square sizes and every layer product of the network', () => {
    expect(matmulShapes([4, 8], layers, 5).map((s) => [s.m, s.k, s.n])).toEqual([
      [4, 4, 4], [8, 8, 8], [5, 12, 8], [5, 8, 6], [5, 6, 4],
    ]);
  });

  it('times a function: median, min and max of the repetitions', async () => {
    let calls = 0;
    const t = await time(async () => void calls++, { warmup: 2, reps: 5, now: () => calls * 10, minSampleMs: 0 });
    expect(calls).toBe(7);
    expect(t).toEqual({ median: 10, min: 10, max: 10, reps: 5 });
  });

  it('runs a fast function several times per sample and reports the time per call', async () => {
    let calls = 0;
    // Each call advances the clock 2 ms: a 10 ms sample needs 5 calls.
    const t = await time(async () => void calls++, { warmup: 0, reps: 4, now: () => calls * 2, minSampleMs: 10 });
    expect(calls).toBe(1 + 4 * 5);
    expect(t.median).toBe(2);
  });

  it('measures gradscope (cpu) and tfjs (cpu) on the same network and gets the same loss', async () => {
    await gs.setBackend('cpu');
    await tf.setBackend('cpu');
    const ours = await measureEngine('gradscope-cpu', gradscopeFactories(gs, layers, 5), { ...options, warmup: 0, reps: 1 });
    const theirs = await measureEngine('tfjs-cpu', tfjsFactories(tf, layers, 5), { ...options, warmup: 0, reps: 1 });
    for (const r of [ours, theirs]) {
      expect(r.matmul.map((m) => m.label)).toEqual(['N=4', 'N=8', '5×12·12×8', '5×8·8×6', '5×6·6×4']);
      for (const m of r.matmul) expect(m.gflops).toBeGreaterThan(0);
      expect(r.trainStep.reps).toBe(1);
      expect(r.trainStep.epochSeconds).toBeGreaterThan(0);
    }
    // The same weights, inputs, labels and optimizer: the same loss after the step.
    expect(ours.trainStep.loss).toBeCloseTo(theirs.trainStep.loss, 5);
  });

  it('trains the same on both libraries: losses fall and agree step by step', async () => {
    await gs.setBackend('cpu');
    await tf.setBackend('cpu');
    const ours = gradscopeFactories(gs, layers, 5).trainStep();
    const theirs = tfjsFactories(tf, layers, 5).trainStep();
    const losses: [number, number][] = [];
    for (let i = 0; i < 20; i++) {
      await ours.run();
      await theirs.run();
      losses.push([ours.lastLoss(), theirs.lastLoss()]);
    }
    for (const [a, b] of losses) expect(a).toBeCloseTo(b, 4);
    expect(losses[19][0]).toBeLessThan(losses[0][0]);
    ours.dispose();
    theirs.dispose();
  });

  it('times two functions alternately and reports the median ratio', async () => {
    let clock = 0;
    const order: string[] = [];
    const r = await timePair(
      ['ours', 'peer'],
      async () => void ((clock += 2), order.push('ours')),
      async () => void ((clock += 6), order.push('peer')),
      { warmup: 1, reps: 4, now: () => clock },
    );
    expect(order).toEqual(['ours', 'peer', 'ours', 'peer', 'peer', 'ours', 'ours', 'peer', 'peer', 'ours']);
    expect(r.oursMs.median).toBe(2);
    expect(r.peerMs.median).toBe(6);
    expect(r.speedup).toBe(3);
  });

  it('measures a pair of training steps (gradscope cpu and tfjs cpu) end to end', async () => {
    await gs.setBackend('cpu');
    await tf.setBackend('cpu');
    const r = await measurePair(['gradscope-cpu', 'tfjs-cpu'], gradscopeFactories(gs, layers, 5).trainStep, tfjsFactories(tf, layers, 5).trainStep, { ...options, reps: 2 });
    expect(r.oursMs.reps).toBe(2);
    expect(r.peerMs.reps).toBe(2);
    expect(r.speedup).toBeGreaterThan(0);
  });

  it('matmul workloads compute A·B (checked against a plain loop)', async () => {
    await gs.setBackend('cpu');
    const [m, k, n] = [3, 5, 4];
    const a = randomValues(m * k, 1);
    const b = randomValues(k * n, 2);
    const c = await gs.matmul(gs.tensor(a, { shape: [m, k] }), gs.tensor(b, { shape: [k, n] })).data();
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += a[i * k + p] * b[p * n + j];
        expect(c[i * n + j]).toBeCloseTo(acc, 5);
      }
    }
  });
});
