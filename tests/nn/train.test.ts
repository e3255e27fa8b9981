import { describe, expect, test } from 'vitest';
import * as gs from '../../index';

describe('gs.nn.fit and evaluate [cpu]', () => {
  test('moons (1,000 points, noise 0.2): ≥ 97% accuracy', async () => {
    await gs.setBackend('cpu');
    const ds = gs.data.moons({ n: 1000, noise: 0.2, seed: 1 });
    const model = gs.nn.mlp({ input: 2, hidden: [32, 32], output: 2, activation: 'relu', seed: 3 });
    const optimizer = new gs.optim.Adam(model.parameters(), { lr: 0.01 });
    const progress: gs.nn.FitProgress[] = [];
    const result = await gs.nn.fit(model, new gs.data.DataLoader(ds, { batchSize: 32, shuffle: true, seed: 1 }), {
      optimizer,
      epochs: 30,
      onProgress: (p) => void progress.push(p),
      progressEvery: 8,
    });
    expect(result.history).toHaveLength(30);
    expect(result.history[29].loss).toBeLessThan(result.history[0].loss);
    const { accuracy, samples, loss } = await gs.nn.evaluate(model, new gs.data.DataLoader(ds, { batchSize: 200 }));
    expect(samples).toBe(1000);
    expect(accuracy).toBeGreaterThanOrEqual(0.97);
    expect(loss).toBeLessThan(0.1);
    // onProgress every 8 batches and at the epoch's last batch (32 batches: 7, 15, 23, 31).
    expect(progress.filter((p) => p.epoch === 0).map((p) => p.batch)).toEqual([7, 15, 23, 31]);
    expect(progress[0].batches).toBe(32);
    expect(progress.every((p) => Number.isFinite(p.loss) && p.samplesPerSecond > 0)).toBe(true);
    model.dispose();
    optimizer.dispose();
  });

  test('evaluate counts accuracy exactly (known weights)', async () => {
    await gs.setBackend('cpu');
    // Logits = x itself (identity weights): the class is the larger coordinate.
    const model = new gs.nn.Sequential(new gs.nn.Linear(2, 2, { seed: 1 }));
    model.loadStateDict({ '0.weight': [[1, 0], [0, 1]], '0.bias': [0, 0] });
    const ds = gs.data.fromArrays([[1, 0], [0, 1], [2, 3], [5, 1], [0, 0.5]], [0, 1, 0, 0, 0]);
    const r = await gs.nn.evaluate(model, new gs.data.DataLoader(ds, { batchSize: 2 }));
    expect(r.accuracy).toBeCloseTo(3 / 5, 6);
    // Mean cross-entropy computed by hand.
    const rows = [[1, 0, 0], [0, 1, 1], [2, 3, 0], [5, 1, 0], [0, 0.5, 0]];
    const expected = rows.reduce((s, [a, b, label]) => s + Math.log(Math.exp(a) + Math.exp(b)) - (label === 0 ? a : b), 0) / 5;
    expect(r.loss).toBeCloseTo(expected, 5);
    model.dispose();
  });

  test('memory stays flat across steps', async () => {
    await gs.setBackend('cpu');
    const ds = gs.data.xor({ n: 256, seed: 2 });
    const model = gs.nn.mlp({ input: 2, hidden: [16], output: 2, seed: 1 });
    const optimizer = new gs.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const loader = new gs.data.DataLoader(ds, { batchSize: 32, shuffle: true });
    const live: number[] = [];
    await gs.nn.fit(model, loader, { optimizer, epochs: 6, onEpoch: () => void live.push(gs.memory().liveBytes) });
    expect(new Set(live.slice(1)).size).toBe(1);
    model.dispose();
    optimizer.dispose();
  });

  test('bad options are refused', async () => {
    const model = gs.nn.mlp({ input: 2, hidden: [4], output: 2, seed: 1 });
    const loader = new gs.data.DataLoader(gs.data.xor({ n: 8 }), { batchSize: 4 });
    await expect(gs.nn.fit(model, loader, {} as gs.nn.FitOptions)).rejects.toThrow(/optimizer is required/);
    const optimizer = new gs.optim.SGD(model.parameters(), { lr: 0.1 });
    await expect(gs.nn.fit(model, loader, { optimizer, epochs: -1 })).rejects.toThrow(/epochs must be a non-negative integer, got -1/);
    await expect(gs.nn.fit(model, loader, { optimizer, loss: 'hinge' as never })).rejects.toThrow(/unknown loss 'hinge'/);
  });

  test('maxSteps: a step budget stops mid-epoch, and the last record covers the batches trained (the MNIST tutorial trains 1001 steps of 64)', async () => {
    await gs.setBackend('cpu');
    const ds = gs.data.xor({ n: 100, seed: 2 });
    const model = gs.nn.mlp({ input: 2, hidden: [4], output: 2, seed: 1 });
    const optimizer = new gs.optim.SGD(model.parameters(), { lr: 0.1 });
    const steps: number[] = [];
    const result = await gs.nn.fit(model, new gs.data.DataLoader(ds, { batchSize: 8, shuffle: true, seed: 1 }), {
      optimizer,
      epochs: 10,
      maxSteps: 30,
      onProgress: (p) => void steps.push(p.step),
    });
    // 13 batches per epoch: epochs 1 and 2 whole (26 steps), then 4 steps of the third.
    expect(optimizer.stepCount).toBe(30);
    expect(steps).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(result.history.map((r) => r.epoch)).toEqual([0, 1, 2]);
    expect(result.history[2].samplesPerSecond).toBeGreaterThan(0);
    await expect(gs.nn.fit(model, new gs.data.DataLoader(ds), { optimizer, maxSteps: 0 })).rejects.toThrow('fit: maxSteps must be a positive integer, got 0');
    model.dispose();
    optimizer.dispose();
  });
});
