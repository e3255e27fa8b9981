// Issue 9: two models training interleaved on one device do not disturb each other —
// step for step, each ends with exactly the parameters it reaches when trained alone.
import { expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';

type Net = ReturnType<typeof gs.nn.mlp>;

function setup(activation: string, seed: number) {
  const model = gs.nn.mlp({ input: 2, hidden: [16, 16], output: 2, activation, seed });
  const optimizer = activation === 'tanh'
    ? new gs.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true })
    : new gs.optim.Adam(model.parameters(), { lr: 0.01 });
  const loader = new gs.data.DataLoader(gs.data.moons({ n: 256, noise: 0.2, seed }), { batchSize: 32, shuffle: true, seed });
  return { model, optimizer, batches: loader[Symbol.iterator]() };
}

function step(run: ReturnType<typeof setup>): void {
  const next = run.batches.next();
  if (next.done) throw new Error('loader ran out');
  const batch = next.value;
  gs.tidy(() => {
    run.optimizer.zeroGrad();
    const loss = gs.losses.crossEntropy(run.model.forward(batch.x), batch.y);
    loss.backward();
    run.optimizer.step();
  });
  batch.x.dispose();
}

async function params(model: Net): Promise<number[][]> {
  return Promise.all(model.parameters().map(async (p) => Array.from(await p.toArray())));
}

describeBackends('two models interleaved', () => {
  it('each ends bit-identical to training alone (different activations, optimizers and seeds)', async () => {
    const steps = 8;
    const aloneA = setup('tanh', 1);
    for (let i = 0; i < steps; i++) step(aloneA);
    const aloneB = setup('gelu', 2);
    for (let i = 0; i < steps; i++) step(aloneB);
    const a = setup('tanh', 1);
    const b = setup('gelu', 2);
    for (let i = 0; i < steps; i++) {
      step(a);
      step(b);
    }
    expect(await params(a.model)).toEqual(await params(aloneA.model));
    expect(await params(b.model)).toEqual(await params(aloneB.model));
    for (const r of [aloneA, aloneB, a, b]) {
      r.optimizer.dispose();
      r.model.dispose();
    }
  });
});
