// The comparison as a library (runComparison): what it records per activation, checked
// against what it is built from (identical initial weights, gs.analysis's figures) and
// against a known result (a linear model cannot learn XOR; a tanh/relu MLP can).
import { describe, expect, it } from 'vitest';
import * as gs from '../../index';
import { chooseBackend, runComparison } from '../../experiment/compare';
import type { ComparisonResult } from '../../experiment/results';
import { buildNetwork } from '../../experiment/run';
import { DEFAULTS, UsageError, type CompareOptions, parseActivations } from '../../experiment/options';
import { tableRow } from '../../experiment/table';

const xorOptions: CompareOptions = {
  ...DEFAULTS,
  activations: parseActivations('tanh,relu'),
  dataset: 'xor',
  epochs: 20,
  trainSize: 1000,
  testSize: 500,
  lr: 0.1,
  batch: 32,
  hidden: [16, 16],
  seed: 7,
  device: 'cpu',
};

describe('runComparison', () => {
  let result: ComparisonResult;
  const seen = { runStarts: [] as string[], steps: 0, epochs: 0 };

  it('trains every activation and the baseline, and a nonlinearity learns XOR where the linear model cannot', async () => {
    result = await runComparison(xorOptions, {
      onRunStart: (r) => seen.runStarts.push(r.activation),
      onStep: () => seen.steps++,
      onEpochEnd: () => seen.epochs++,
    });
    expect(seen.runStarts).toEqual(['tanh', 'relu', 'none']);
    const stepsPerEpoch = Math.ceil(1000 / 32);
    expect(seen.steps).toBe(3 * 20 * stepsPerEpoch);
    expect(seen.epochs).toBe(3 * 20);
    expect(result.runs.map((r) => r.activation).sort()).toEqual(['none', 'relu', 'tanh']);
    const byName = Object.fromEntries(result.runs.map((r) => [r.activation, r]));
    expect(byName.tanh.testAccuracy).toBeGreaterThan(0.85);
    expect(byName.relu.testAccuracy).toBeGreaterThan(0.85);
    expect(byName.none.testAccuracy).toBeLessThan(0.65);
    // Sorted by test accuracy, best first.
    for (let i = 1; i < result.runs.length; i++) expect(result.runs[i - 1].testAccuracy).toBeGreaterThanOrEqual(result.runs[i].testAccuracy);
  });

  it('records every curve with one value per epoch (and per step for the loss)', () => {
    const stepsPerEpoch = Math.ceil(1000 / 32);
    for (const run of result.runs) {
      const c = run.curves;
      expect(c.epoch).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      for (const series of [c.trainLoss, c.trainAccuracy, c.testLoss, c.testAccuracy]) expect(series).toHaveLength(20);
      expect(c.stepLoss).toHaveLength(20 * stepsPerEpoch);
      expect(run.testAccuracy).toBe(c.testAccuracy[19]);
      expect(run.finalTrainLoss).toBe(c.trainLoss[19]);
      // The epoch's mean training loss lies within the range of its steps' losses.
      const lastEpoch = c.stepLoss.slice(19 * stepsPerEpoch);
      expect(run.finalTrainLoss).toBeGreaterThanOrEqual(Math.min(...lastEpoch) - 1e-6);
      expect(run.finalTrainLoss).toBeLessThanOrEqual(Math.max(...lastEpoch) + 1e-6);
      expect(run.secondsPerEpoch).toBeGreaterThan(0);
      expect(run.totalSeconds).toBeGreaterThanOrEqual(run.secondsPerEpoch);
    }
  });

  it("takes its gradient figures from gs.analysis.gradientStats: the ratio is the input layer's relative norm", () => {
    for (const run of result.runs) {
      for (const phase of [run.gradients.start, run.gradients.end]) {
        expect(phase).toHaveLength(3);
        const ratio = phase[0].weight.l2 / phase[2].weight.l2;
        expect(phase[0].relativeNorm).toBeCloseTo(ratio, 10);
        expect(phase[0].weight.histogram.counts.reduce((a, b) => a + b, 0)).toBe(16 * 2);
      }
      expect(run.gradientRatio).toBeCloseTo(run.gradients.end[0].relativeNorm, 10);
      expect(run.gradientRatioStart).toBeCloseTo(run.gradients.start[0].relativeNorm, 10);
    }
  });

  it('counts dead units per hidden layer (none for the baseline, which has no activation)', () => {
    for (const run of result.runs) {
      if (run.activation === 'none') {
        expect(run.deadLayers).toEqual([]);
        expect(run.deadRatio).toBe(0);
        continue;
      }
      expect(run.deadLayers.map((l) => l.units)).toEqual([16, 16]);
      const dead = run.deadLayers.reduce((a, l) => a + l.dead, 0);
      expect(run.deadRatio).toBeCloseTo(dead / 32, 12);
      // tanh is 0 only at exactly 0: no tanh unit can be dead on real data.
      if (run.activation === 'tanh') expect(dead).toBe(0);
    }
  });

  it("draws f and f' through autograd, and the gradient-magnitude surface", () => {
    expect(result.activations.map((a) => a.name)).toEqual(['tanh', 'relu']);
    const tanh = result.activations[0];
    tanh.curve.x.forEach((x, i) => {
      expect(tanh.curve.f[i]).toBeCloseTo(Math.tanh(x), 5);
      expect(tanh.curve.df[i]).toBeCloseTo(1 - Math.tanh(x) ** 2, 5);
    });
    const n = tanh.surface.x.length;
    expect(tanh.surface.gradMagnitude).toHaveLength(n * tanh.surface.y.length);
    const [i, j] = [3, 17];
    const expected = Math.hypot(1 - Math.tanh(tanh.surface.x[i]) ** 2, 1 - Math.tanh(tanh.surface.y[j]) ** 2);
    expect(tanh.surface.gradMagnitude[j * n + i]).toBeCloseTo(expected, 5);
  });

  it('is reproducible: the same options give the same numbers', async () => {
    const again = await runComparison({ ...xorOptions, activations: parseActivations('relu'), epochs: 2 });
    const first = await runComparison({ ...xorOptions, activations: parseActivations('relu'), epochs: 2 });
    expect(again.runs.map((r) => [r.activation, r.testAccuracy, r.curves.stepLoss])).toEqual(
      first.runs.map((r) => [r.activation, r.testAccuracy, r.curves.stepLoss]),
    );
  });

  it('keeps a diverged run as a result, marked in the table, instead of failing the comparison', async () => {
    const r = await runComparison({ ...xorOptions, activations: parseActivations('relu'), epochs: 1, lr: 1e6 });
    const relu = r.runs.find((run) => run.activation === 'relu')!;
    expect(relu.diverged).toBe(true);
    expect(Number.isFinite(relu.finalTrainLoss)).toBe(false);
    expect(relu.gradients.end).toEqual([]);
    expect(relu.gradients.start).toHaveLength(3);
    expect(tableRow(relu)[0]).toBe('relu (diverged)');
  });

  it('refuses bad options with the valid choices', async () => {
    const nope = [{ activation: 'nope', params: {}, label: 'nope' }];
    await expect(runComparison({ ...xorOptions, activations: nope })).rejects.toThrow(UsageError);
    await expect(runComparison({ ...xorOptions, activations: nope })).rejects.toThrow(/unknown activation 'nope' \(valid: .*relu/);
    expect(() => parseActivations('nope')).toThrow(/--activations: unknown activation 'nope' \(valid: .*relu/);
    await expect(runComparison({ ...xorOptions, epochs: 0 })).rejects.toThrow(/epochs: expected a positive integer, got 0/);
  });
});

describe('buildNetwork', () => {
  it('starts every activation from identical weights', async () => {
    await gs.setBackend('cpu');
    const sizes = [784, 256, 192, 128, 64, 10];
    const nets = ['relu', 'tanh', 'none'].map((a) => buildNetwork(sizes, a, { init: 'pytorch_default', seed: 42 }));
    const linears = nets.map((net) => net.layers.filter((m) => m instanceof gs.nn.Linear) as InstanceType<typeof gs.nn.Linear>[]);
    expect(linears.map((l) => l.length)).toEqual([5, 5, 5]);
    expect(nets[0].layers).toHaveLength(9);
    expect(nets[2].layers).toHaveLength(5);
    for (let i = 0; i < 5; i++) {
      const w = await Promise.all(linears.map((l) => l[i].weight.toArray()));
      const b = await Promise.all(linears.map((l) => l[i].bias!.toArray()));
      expect(w[1]).toEqual(w[0]);
      expect(w[2]).toEqual(w[0]);
      expect(b[1]).toEqual(b[0]);
      expect(b[2]).toEqual(b[0]);
    }
    const other = buildNetwork(sizes, 'relu', { init: 'pytorch_default', seed: 43 });
    const w0 = await (other.layers[0] as InstanceType<typeof gs.nn.Linear>).weight.toArray();
    expect(w0).not.toEqual(await linears[0][0].weight.toArray());
    for (const net of [...nets, other]) net.dispose();
  });
});

describe('chooseBackend', () => {
  it("'auto' takes WebGPU on a hardware adapter, and on a software fallback adapter the backend a calibration finds faster", async () => {
    let fallback: boolean | null = null;
    try {
      await gs.setBackend('webgpu');
      fallback = !!gs.getBackend().deviceState?.isFallbackAdapter;
    } catch {
      fallback = null; // no adapter at all: 'auto' must fall back to the CPU
    }
    const chosen = await chooseBackend('auto');
    if (fallback === false) expect(gs.getBackend().name).toBe('webgpu');
    else if (fallback === null) expect(chosen).toMatch(/^cpu/);
    else {
      // A software adapter: the faster backend in a short calibration, with its numbers.
      const m = /took ([\d.]+) ms on it and ([\d.]+) ms on the CPU backend, so '(webgpu|cpu)' was chosen/.exec(chosen);
      expect(m).not.toBeNull();
      const [webgpuMs, cpuMs] = [Number(m![1]), Number(m![2])];
      expect(m![3]).toBe(webgpuMs < cpuMs ? 'webgpu' : 'cpu');
      expect(gs.getBackend().name).toBe(m![3]);
    }
    expect(await chooseBackend('cpu')).toMatch(/^cpu/);
    expect(gs.getBackend().name).toBe('cpu');
  });
});
