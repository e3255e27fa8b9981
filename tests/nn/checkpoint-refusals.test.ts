// A refused resume changes nothing: fit({ resumeFrom }) checks the whole checkpoint
// (checksum, metadata, optimizer, model shapes, loader position) before it replaces the
// weights, the optimizer state or the loader position, on both backends.
import { expect, test } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';

const data = gs.data.moons({ n: 300, noise: 0.2, seed: 4 });
const loader = (batchSize = 32) => new gs.data.DataLoader(data, { batchSize, shuffle: true, seed: 11 });
const model = (seed: number) => gs.nn.mlp({ input: 2, hidden: [8], output: 2, activation: 'tanh', seed });
const momentum = (m: gs.nn.Module) => new gs.optim.SGD(m.parameters(), { lr: 0.05, momentum: 0.9 });

interface Run {
  model: gs.nn.Module;
  optimizer: gs.optim.Optimizer;
  loader: gs.data.DataLoader;
}

/** Everything a resume could change. */
async function snapshot({ model, optimizer, loader }: Run) {
  const arrays = async (named: [string, gs.Tensor][]) => Promise.all(named.map(async ([k, t]) => [k, Array.from(await t.toArray())] as const));
  return {
    weights: await arrays(model.namedParameters()),
    state: await arrays(Object.entries(optimizer.stateTensors())),
    step: optimizer.stepCount,
    position: loader.position(),
  };
}

/** A mid-epoch checkpoint: epoch 1, batch 4 (10 batches of 32 per epoch), SGD with momentum. */
async function checkpoint(): Promise<Uint8Array> {
  const m = model(3);
  const opt = momentum(m);
  let bytes: Uint8Array | null = null;
  await gs.nn.fit(m, loader(), { optimizer: opt, epochs: 2, checkpoint: (b, at) => void (at.batch === 4 && (bytes = b)), checkpointRequested: () => opt.stepCount === 14 });
  m.dispose();
  opt.dispose();
  return bytes!;
}

/** The checkpoint with its gradscope metadata edited (tensors and their checksum kept). */
async function withMeta(bytes: Uint8Array, edit: (meta: Record<string, unknown>) => void): Promise<Uint8Array> {
  const { tensors, metadata } = gs.io.readSafetensors(bytes);
  const meta = JSON.parse(metadata.gradscope);
  edit(meta);
  return gs.io.saveSafetensors(tensors, { gradscope: JSON.stringify(meta) });
}

/** A run that trained one epoch (weights moved, momentum buffers made, loader at epoch 1). */
async function trainedRun(options: { batchSize?: number; optimizer?: (m: gs.nn.Module) => gs.optim.Optimizer } = {}): Promise<Run> {
  const m = model(99);
  const run: Run = { model: m, optimizer: (options.optimizer ?? momentum)(m), loader: loader(options.batchSize) };
  await gs.nn.fit(run.model, run.loader, { optimizer: run.optimizer, epochs: 1 });
  return run;
}

type Case = [string, () => Promise<{ bytes: Uint8Array; run: Run }>, RegExp | string];

describeBackends('a refused resume changes nothing', () => {
  const cases: Case[] = [
    ['a loader position this loader does not have (batch size 128: 3 batches per epoch)', async () => ({ bytes: await checkpoint(), run: await trainedRun({ batchSize: 128 }) }),
      'resumeFrom: DataLoader: position {"epoch":1,"batch":4} is not valid for 3 batches per epoch'],
    ['a loader whose batches do not line up with the checkpoint (batch size 64)', async () => ({ bytes: await checkpoint(), run: await trainedRun({ batchSize: 64 }) }),
      'resumeFrom: the checkpoint was written in the middle of epoch 1 (before batch 4) by a loader of batch size 32 over 300 samples; this loader has batch size 64 over 300 samples, so its batches would not continue that epoch'],
    ['metadata without the unfinished epoch\'s sums', async () => ({ bytes: await withMeta(await checkpoint(), (m) => delete m.partial), run: await trainedRun() }),
      "resumeFrom: the checkpoint metadata has no valid 'partial' (the running sums of the unfinished epoch): got undefined"],
    ['metadata whose history is not a list of epochs', async () => ({ bytes: await withMeta(await checkpoint(), (m) => (m.history = [{ epoch: 'zero' }])), run: await trainedRun() }),
      "resumeFrom: the checkpoint metadata has no valid 'history' (one record per finished epoch): got [{\"epoch\":\"zero\"}]"],
    ['a step count that is not a count', async () => ({ bytes: await withMeta(await checkpoint(), (m) => ((m.optimizer as { stepCount: number }).stepCount = -1)), run: await trainedRun() }),
      "resumeFrom: the checkpoint metadata has no valid 'optimizer' (name, stepCount, config, parameters): got"],
    ['Adam given for SGD state', async () => ({ bytes: await checkpoint(), run: await trainedRun({ optimizer: (m) => new gs.optim.Adam(m.parameters()) }) }),
      'resumeFrom: the checkpoint holds SGD state, but fit was given Adam'],
    ['SGD without momentum given for a momentum checkpoint', async () => ({ bytes: await checkpoint(), run: await trainedRun({ optimizer: (m) => new gs.optim.SGD(m.parameters(), { lr: 0.05 }) }) }),
      "resumeFrom: the checkpoint's SGD has momentum 0.9 and this one 0: its momentum buffers would be dropped"],
    ['an optimizer over other parameters', async () => ({ bytes: await checkpoint(), run: await trainedRun({ optimizer: (m) => new gs.optim.SGD(m.parameters().slice(2), { lr: 0.05, momentum: 0.9 }) }) }),
      "resumeFrom: the checkpoint's optimizer updates 0.weight, 0.bias, 2.weight, 2.bias; fit's updates 2.weight, 2.bias"],
    ['a tensor changed after it was written', async () => {
      const bytes = (await checkpoint()).slice();
      bytes[bytes.length - 3] ^= 0x40; // a bit of the last tensor's last value
      return { bytes, run: await trainedRun() };
    }, /^resumeFrom: the checkpoint's tensors do not match its checksum \(computed fnv1a [0-9a-f]{8}, recorded fnv1a [0-9a-f]{8}\): the file was changed or damaged after it was written$/],
    ['a checkpoint without a checksum (format version 1)', async () => ({ bytes: await withMeta(await checkpoint(), (m) => { m.version = 1; delete m.checksum; }), run: await trainedRun() }),
      'resumeFrom: not a gradscope checkpoint of version 2 (found version 1); a plain safetensors file can be loaded with model.loadStateDict'],
  ];

  test.each(cases)('%s', async (_what, make, message) => {
    const { bytes, run } = await make();
    const before = await snapshot(run);
    await expect(gs.nn.fit(run.model, run.loader, { optimizer: run.optimizer, epochs: 2, resumeFrom: bytes })).rejects.toThrow(message);
    expect(await snapshot(run)).toEqual(before);
    run.model.dispose();
    run.optimizer.dispose();
  });

  test('the untouched checkpoint resumes, and gives the uninterrupted run', async () => {
    const m = model(3);
    const opt = momentum(m);
    await gs.nn.fit(m, loader(), { optimizer: opt, epochs: 2 });
    const run = await trainedRun();
    await gs.nn.fit(run.model, run.loader, { optimizer: run.optimizer, epochs: 2, resumeFrom: await checkpoint() });
    const [expected, got] = [await snapshot({ model: m, optimizer: opt, loader: loader() }), await snapshot(run)];
    expect(got.step).toBe(expected.step);
    expect(got.weights).toEqual(expected.weights);
    for (const x of [m, run.model]) x.dispose();
    for (const x of [opt, run.optimizer]) x.dispose();
  });
});

test('a checkpoint records its checksum, and the names of the parameters its optimizer updates', async () => {
  await gs.setBackend('cpu');
  const { metadata } = gs.io.readSafetensors(await checkpoint());
  const meta = JSON.parse(metadata.gradscope);
  expect(meta.version).toBe(2);
  expect(meta.checksum).toMatch(/^fnv1a [0-9a-f]{8}$/);
  expect(meta.optimizer.parameters).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
});
