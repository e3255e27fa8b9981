// Checkpoints: fit writes one at the end of every epoch and on request; fit({ resumeFrom })
// continues with exactly the results of an uninterrupted run.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import * as gs from '../../index';

const dir = mkdtempSync(join(tmpdir(), 'gradscope-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = gs.data.moons({ n: 300, noise: 0.2, seed: 4 });
const loader = () => new gs.data.DataLoader(data, { batchSize: 32, shuffle: true, seed: 11 });
const model = (seed: number) => gs.nn.mlp({ input: 2, hidden: [16, 16], output: 2, activation: 'tanh', seed });
type MakeOptimizer = (m: gs.nn.Module) => gs.optim.Optimizer;
const optimizers: [string, MakeOptimizer][] = [
  ['SGD with momentum', (m) => new gs.optim.SGD(m.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ['Adam', (m) => new gs.optim.Adam(m.parameters(), { lr: 0.01, weightDecay: 1e-3 })],
];

async function weights(m: gs.nn.Module): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, p] of m.namedParameters()) out[k] = Array.from(await p.toArray());
  return out;
}

const curve = (h: gs.nn.EpochRecord[]) => h.map(({ epoch, loss, accuracy }) => ({ epoch, loss, accuracy }));

describe('checkpoints [cpu]', () => {
  test.each(optimizers)('%s: resuming from an epoch-end or a mid-epoch checkpoint gives the uninterrupted run exactly', async (_name, makeOptimizer) => {
    await gs.setBackend('cpu');
    const saved: { epoch: number; batch: number; bytes: Uint8Array }[] = [];
    const m = model(3);
    const opt = makeOptimizer(m);
    const full = await gs.nn.fit(m, loader(), {
      optimizer: opt,
      epochs: 3,
      checkpoint: (bytes, at) => void saved.push({ ...at, bytes }),
      checkpointRequested: () => opt.stepCount === 14, // mid-epoch 1 (10 batches per epoch)
    });
    expect(saved.map(({ epoch, batch }) => [epoch, batch])).toEqual([[1, 0], [1, 4], [2, 0], [3, 0]]);
    const expected = await weights(m);

    for (const from of [saved[0], saved[1], saved[2]]) {
      const resumed = model(99); // different initial weights: the checkpoint must overwrite them
      const ropt = makeOptimizer(resumed);
      const result = await gs.nn.fit(resumed, loader(), { optimizer: ropt, epochs: 3, resumeFrom: from.bytes });
      expect(await weights(resumed)).toEqual(expected);
      expect(curve(result.history)).toEqual(curve(full.history));
      expect(ropt.stepCount).toBe(opt.stepCount);
      resumed.dispose();
      ropt.dispose();
    }
    m.dispose();
    opt.dispose();
  });

  test('files: written at every epoch end, atomically; resumeFrom a path; wrong optimizer refused', async () => {
    await gs.setBackend('cpu');
    const file = join(dir, 'run.ckpt.safetensors');
    const m = model(5);
    const opt = new gs.optim.SGD(m.parameters(), { lr: 0.05, momentum: 0.9 });
    await gs.nn.fit(m, loader(), { optimizer: opt, epochs: 2, checkpoint: file });
    expect(existsSync(file)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // It is a plain safetensors file: parameters under model.*, momentum under optimizer.*.
    const contents = gs.io.readSafetensors(new Uint8Array(readFileSync(file)));
    expect(Object.keys(contents.tensors).sort()).toEqual([
      'model.0.bias', 'model.0.weight', 'model.2.bias', 'model.2.weight', 'model.4.bias', 'model.4.weight',
      'optimizer.0.momentum_buffer', 'optimizer.1.momentum_buffer', 'optimizer.2.momentum_buffer',
      'optimizer.3.momentum_buffer', 'optimizer.4.momentum_buffer', 'optimizer.5.momentum_buffer',
    ]);
    expect(JSON.parse(contents.metadata.gradscope).loader).toEqual({ epoch: 2, batch: 0, batchSize: 32, samples: 300 });

    const more = model(6);
    const moreOpt = new gs.optim.SGD(more.parameters(), { lr: 0.05, momentum: 0.9 });
    const r = await gs.nn.fit(more, loader(), { optimizer: moreOpt, epochs: 3, resumeFrom: file });
    expect(r.history).toHaveLength(3);
    const adam = new gs.optim.Adam(more.parameters());
    await expect(gs.nn.fit(more, loader(), { optimizer: adam, epochs: 3, resumeFrom: file })).rejects.toThrow(/holds SGD state, but fit was given Adam/);
    await expect(gs.nn.fit(more, loader(), { optimizer: moreOpt, epochs: 3, resumeFrom: new Uint8Array(12) })).rejects.toThrow(/loadSafetensors: invalid file/);
    for (const x of [m, more]) x.dispose();
    for (const x of [opt, moreOpt, adam]) x.dispose();
  });

  test('an interrupted write never corrupts the previous checkpoint', async () => {
    const file = join(dir, 'atomic.bin');
    const old = new Uint8Array(1000).fill(7);
    await gs.data.writeFileAtomic(file, old);
    const big = new Uint8Array(64 * 1024 * 1024).fill(9);
    // Read the file over and over while a large write is under way: every read sees
    // either the whole old file or the whole new one, never a part.
    let done = false;
    const writing = gs.data.writeFileAtomic(file, big).then(() => (done = true));
    let reads = 0;
    while (!done) {
      const now = readFileSync(file);
      expect(now.length === old.length ? now.every((b) => b === 7) : now.length === big.length).toBe(true);
      reads++;
      await new Promise((r) => setTimeout(r, 1));
    }
    await writing;
    expect(reads).toBeGreaterThan(0);
    expect(readFileSync(file).length).toBe(big.length);
    // A write that fails (the target is a directory) leaves no temporary file behind.
    const target = join(dir, 'a-directory');
    rmSync(target, { force: true, recursive: true });
    writeFileSync(join(dir, 'placeholder'), '');
    await import('node:fs').then((fs) => fs.mkdirSync(target));
    await expect(gs.data.writeFileAtomic(target, old)).rejects.toThrow();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
