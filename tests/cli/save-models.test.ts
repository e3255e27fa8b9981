// `gradscope compare --save-models`: each trained network in --out/models as
// <label>.safetensors under PyTorch's state_dict names, with a JSON that gs.nn.mlp builds
// again; the reloaded network gives the run's own test loss and accuracy. Written by the
// same rules as the other outputs: by name, nothing else touched.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../index';
import { crossEntropy } from '../../engine/ops';
import { noGrad } from '../../engine/autograd';
import { setBackend } from '../../engine/backend-registry';
import { loadDataset } from '../../experiment/datasets';
import type { ComparisonResult } from '../../experiment/results';
import { modelFileStems, type ModelDescription } from '../../experiment/trained-model';
import { DataLoader } from '../../nn/data/index';
import { loadSafetensors, readSafetensors } from '../../nn/io/index';
import { mlp } from '../../nn/mlp';
import { runMain } from './run-main';

let work: string;
let out: string;
let result: ComparisonResult;
const FLAGS = ['--dataset', 'moons', '--train-size', '200', '--test-size', '100', '--epochs', '2', '--hidden', '8,6', '--batch', '50', '--device', 'cpu', '--no-png'];

beforeAll(async () => {
  await setBackend('cpu');
  work = mkdtempSync(join(tmpdir(), 'gradscope-models-'));
  out = join(work, 'out');
  mkdirSync(join(out, 'models'), { recursive: true });
  writeFileSync(join(out, 'models', 'mine.txt'), 'not the run\'s');
  // prelu with one shared module: its trainable slope is stored once, under the first activation's name.
  const { code, stderr } = await runMain(['compare', ...FLAGS, '--activations', 'relu,prelu', '--share-activation', '--save-models', '--out', out]);
  expect(code, stderr).toBe(0);
  result = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ComparisonResult;
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('gradscope compare --save-models', () => {
  it('writes a .safetensors and a .json per run into models/, leaving what else is there', () => {
    expect(readdirSync(join(out, 'models')).sort()).toEqual(['mine.txt', 'none.json', 'none.safetensors', 'prelu.json', 'prelu.safetensors', 'relu.json', 'relu.safetensors']);
    expect(readFileSync(join(out, 'models', 'mine.txt'), 'utf8')).toBe("not the run's");
  });

  it('names the tensors as PyTorch state_dict does, float32, with the description inside the file too', () => {
    const bytes = readFileSync(join(out, 'models', 'prelu.safetensors'));
    const file = readSafetensors(bytes);
    const description = JSON.parse(readFileSync(join(out, 'models', 'prelu.json'), 'utf8')) as ModelDescription;
    expect(file.metadata.format).toBe('pt');
    expect(JSON.parse(file.metadata.gradscope)).toEqual(description);
    // Linear 0, prelu 1 (shared: its weight once), Linear 2, (prelu 3: the same module), Linear 4.
    expect(description.tensors).toEqual([
      { name: '0.weight', shape: [8, 2] },
      { name: '0.bias', shape: [8] },
      { name: '1.weight', shape: [1] },
      { name: '2.weight', shape: [6, 8] },
      { name: '2.bias', shape: [6] },
      { name: '4.weight', shape: [2, 6] },
      { name: '4.bias', shape: [2] },
    ]);
    // The file lists its tensors sorted by name, as the safetensors library writes them.
    expect(Object.keys(loadSafetensors(bytes)).sort()).toEqual(description.tensors.map((t) => t.name).sort());
    for (const t of Object.values(loadSafetensors(bytes))) expect(t.data).toBeInstanceOf(Float32Array);
    expect(description.mlp).toMatchObject({ input: 2, hidden: [8, 6], output: 2, activation: 'prelu', shareActivation: true, noActivation: false });
    const none = JSON.parse(readFileSync(join(out, 'models', 'none.json'), 'utf8')) as ModelDescription;
    expect(none.mlp.noActivation).toBe(true);
    expect(none.mlp.activation).toBeUndefined();
  });

  it('reloads with gs.nn.mlp + loadStateDict into a network that gives the run its own test loss and accuracy', async () => {
    const dataset = await loadDataset({ name: 'moons', trainSize: 200, testSize: 100, seed: result.options.seed, normalize: result.options.normalize });
    const { x, y } = new DataLoader(dataset.test, { batchSize: 100 }).batchAt(0, 0);
    for (const label of ['relu', 'prelu', 'none']) {
      const description = JSON.parse(readFileSync(join(out, 'models', `${label}.json`), 'utf8')) as ModelDescription;
      const model = mlp(description.mlp);
      model.loadStateDict(loadSafetensors(readFileSync(join(out, 'models', `${label}.safetensors`))));
      model.eval();
      const [loss, correct] = await noGrad(async () => {
        const logits = model.forward(x);
        const l = crossEntropy(logits, y);
        const predicted = await logits.argmax(-1).toArray();
        const value = await l.item();
        logits.dispose();
        l.dispose();
        return [value, predicted.filter((p, i) => p === y[i]).length];
      });
      const run = result.runs.find((r) => r.activation === label)!;
      expect(correct / 100, label).toBe(run.testAccuracy);
      expect(loss, label).toBeCloseTo(run.testLoss, 5);
      model.dispose();
    }
    x.dispose();
  });

  it('refuses --out whose models is a file before training, and gives labels safe, distinct file names', async () => {
    const blocked = join(work, 'blocked');
    mkdirSync(blocked);
    writeFileSync(join(blocked, 'models'), 'a file');
    const { code, stderr } = await runMain(['compare', ...FLAGS, '--activations', 'relu', '--save-models', '--out', blocked]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--out .*blocked: .*models is a file; --save-models writes the trained networks into a folder by that name/);
    expect(existsSync(join(blocked, 'results.json'))).toBe(false);
    expect([...modelFileStems(['leaky_relu:negative_slope=0.3', 'a/b', 'A/B', '..']).values()]).toEqual(['leaky_relu_negative_slope=0.3', 'a_b', 'A_B-2', 'model..']);
  }, 60_000);
});
