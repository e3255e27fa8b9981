// gs.activations: names/get/spellings, and register() accepting a good user spec and
// refusing a non-compiling one, a wrong derivative, a NaN-producing one and a taken name.
// Whatever the current backend, register() compiles and runs the WGSL on a WebGPU
// validation device (Dawn here), so the CPU backend refuses the same shaders WebGPU does.
import { afterEach, expect, it } from 'vitest';
import * as gs from '../../index';
import type { ActivationSpec } from '../../engine/activation-spec';
import { describeBackends } from '../helpers/backends';
import { checkDerivatives, checkDeviceAgreesWithCpu, checkWgsl, openValidationDevice } from '../../activations/validate';

/** squareplus(x) = (x + √(x² + b))/2 with b trainable (So, 2021): a user activation. */
function squareplus(name: string, overrides: Partial<ActivationSpec> = {}): ActivationSpec {
  return {
    name,
    aliases: [`${name}_alias`],
    formula: '(x + √(x² + b)) / 2',
    range: [-4, 4],
    params: [{ name: 'b', default: 4, trainable: true }],
    cpu: {
      f: (x, p) => (x + Math.sqrt(x * x + p.b[0])) / 2,
      df: (x, _y, p) => 0.5 * (1 + x / Math.sqrt(x * x + p.b[0])),
      dparams: { b: (x, _y, p) => 0.25 / Math.sqrt(x * x + p.b[0]) },
    },
    wgsl: {
      f: 'return (x + sqrt(x * x + p_b(0u))) / 2.0;',
      df: 'return 0.5 * (1.0 + x / sqrt(x * x + p_b(0u)));',
      dparams: { b: 'return 0.25 / sqrt(x * x + p_b(0u));' },
    },
    ...overrides,
  };
}

describeBackends('gs.activations registry', (backend) => {
  const name = `squareplus_${backend}`;
  afterEach(() => {
    for (const n of gs.activations.names()) if (n.startsWith('squareplus') || n.startsWith('bad_')) gs.activations.unregister(n);
  });

  it('lists every built-in in order, and get() finds PyTorch and Keras spellings', () => {
    const names = gs.activations.names();
    expect(names.slice(0, 6)).toEqual(['step', 'identity', 'sigmoid', 'tanh', 'softsign', 'relu']);
    expect(names).toContain('softmax');
    expect(gs.activations.get('softmax').kind).toBe('output');
    expect(gs.activations.elementwiseNames()).toEqual(names.filter((n) => n !== 'softmax'));
    for (const n of ['gelu', 'gelu_tanh', 'silu', 'swish', 'swish_trainable', 'mish', 'prelu', 'telu', 'trainable_elu', 'staf', 'rational', 'adaptive_sigmoid', 'rrelu', 'bspline']) {
      expect(names).toContain(n);
    }
    const spellings: Record<string, string> = {
      ReLU: 'relu', relu: 'relu', LeakyReLU: 'leaky_relu', leaky_relu: 'leaky_relu', GELU: 'gelu', SiLU: 'silu', swish: 'swish',
      Hardswish: 'hardswish', hard_sigmoid: 'hardsigmoid', PReLU: 'prelu', ELU: 'elu', SELU: 'selu', Softplus: 'softplus',
      Softmax: 'softmax', RReLU: 'rrelu', ReLU6: 'relu6', Identity: 'identity', linear: 'identity', Mish: 'mish', Tanh: 'tanh',
    };
    for (const [spelling, canonical] of Object.entries(spellings)) {
      expect(gs.activations.get(spelling).name, spelling).toBe(canonical);
      expect((gs.activation(spelling) as gs.nn.Activation | gs.nn.Softmax).name, spelling).toBe(canonical);
    }
    expect(() => gs.activation('relux')).toThrow(/unknown activation 'relux' \(valid: step, identity/);
    expect(() => gs.activation('leaky_relu', { slope: 0.2 })).toThrow(/unknown parameter 'slope' \(valid: negative_slope\)/);
  });

  it('accepts a good spec: usable by name and alias, values and parameter gradient right, then unregistered', async () => {
    const result = await gs.activations.register(squareplus(name));
    expect(result).toEqual({ name, wgsl: 'compiled' });
    expect(gs.activations.names()).toContain(name);
    expect(gs.activations.get(`${name}_alias`).name).toBe(name);
    const module = gs.activation(name);
    const x = gs.tensor([-3, 0, 2], { requiresGrad: true });
    module.forward(x).sum().backward();
    const [b] = module.parameters();
    const want = [-3, 0, 2].map((v) => (v + Math.sqrt(v * v + 4)) / 2);
    const got = Array.from(await module.forward(gs.tensor([-3, 0, 2])).toArray());
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 5));
    expect(await b.grad!.item()).toBeCloseTo([-3, 0, 2].reduce((s, v) => s + 0.25 / Math.sqrt(v * v + 4), 0), 5);
    const xs = Array.from(await x.grad!.toArray());
    [-3, 0, 2].forEach((v, i) => expect(xs[i]).toBeCloseTo(0.5 * (1 + v / Math.sqrt(v * v + 4)), 5));
    expect(gs.activations.unregister(`${name}_alias`)).toBe(true);
    expect(gs.activations.names()).not.toContain(name);
    expect(() => gs.activations.get(name)).toThrow(/unknown activation/);
  });

  it('refuses WGSL that does not compile, naming the field and line', async () => {
    const before = gs.activations.names();
    const bad = squareplus('bad_syntax', { wgsl: { ...squareplus('x').wgsl, df: 'let s = sqrt(x * x + p_b(0u));\nreturn 0.5 * (1.0 + x / s;' } });
    await expect(gs.activations.register(bad)).rejects.toThrow(/bad_syntax.*WGSL does not (compile|parse).*wgsl\.df line 2/);
    const unknownParam = squareplus('bad_param', { wgsl: { ...squareplus('x').wgsl, f: 'return x;\n' + 'return p_gamma(0u);' } });
    await expect(gs.activations.register(unknownParam)).rejects.toThrow(/wgsl\.f line 2: unknown parameter 'p_gamma' \(declared: b\)/);
    expect(gs.activations.names()).toEqual(before);
  });

  it('every built-in passes the checks register() applies: its WGSL compiles and agrees on the validation device, its derivatives match', async () => {
    const device = (await openValidationDevice())!;
    expect(device.name).toBe('webgpu');
    for (const n of gs.activations.names()) {
      const spec = gs.activations.get(n);
      if (spec.kind === 'output') continue;
      expect(await checkWgsl(spec, device), n).toBe('compiled');
      expect(() => checkDerivatives(spec), n).not.toThrow();
      await checkDeviceAgreesWithCpu(spec, device);
    }
  });

  it('refuses WGSL that disagrees with the TypeScript, naming the worst x, whatever the current backend', async () => {
    const disagreeing = squareplus('bad_disagree', { wgsl: { ...squareplus('x').wgsl, f: 'return (x + sqrt(x * x + 2.0 * p_b(0u))) / 2.0;' } });
    await expect(gs.activations.register(disagreeing)).rejects.toThrow(/the WGSL and TypeScript disagree: worst at x = 0: f on webgpu \(WGSL\) gives 1\.41421\d*, cpu gives 1\b/);
    // Issue 15, item 6: a WGSL f = 2x for a TypeScript f = x.
    const doubled: ActivationSpec = { name: 'bad_doubled', formula: 'x', range: [-2, 2], cpu: { f: (x) => x, df: () => 1 }, wgsl: { f: 'return 2.0 * x;', df: 'return 1.0;' } };
    await expect(gs.activations.register(doubled)).rejects.toThrow(/bad_doubled.*the WGSL and TypeScript disagree: worst at x = -2: f on webgpu \(WGSL\) gives -4, cpu gives -2/);
    expect(gs.activations.names()).not.toContain('bad_disagree');
    expect(gs.activations.names()).not.toContain('bad_doubled');
  });

  it('refuses WGSL only a compiler rejects (a dangling operator, a missing return), whatever the current backend', async () => {
    const before = gs.activations.names();
    const identity = { formula: 'x', range: [-2, 2] as [number, number], cpu: { f: (x: number) => x, df: () => 1 } };
    await expect(gs.activations.register({ name: 'bad_operator', ...identity, wgsl: { f: 'return x +* ;', df: 'return 1.0;' } })).rejects.toThrow(
      /bad_operator.*WGSL does not compile: wgsl\.f line 1(:\d+)?: /,
    );
    await expect(gs.activations.register({ name: 'bad_no_return', ...identity, wgsl: { f: 'let y = x;', df: 'return 1.0;' } })).rejects.toThrow(
      /bad_no_return.*WGSL does not compile: wgsl\.f line 1: .*missing return/,
    );
    expect(gs.activations.names()).toEqual(before);
  });

  it('refuses a call to a function that does not exist, naming the field and line', async () => {
    const bad = squareplus('bad_call', { wgsl: { ...squareplus('x').wgsl, f: 'let s = x * x;\nreturn softclip(s);' } });
    await expect(gs.activations.register(bad)).rejects.toThrow(/WGSL does not compile: wgsl\.f line 2(:\d+)?: unresolved call target 'softclip'/);
    expect(gs.activations.names()).not.toContain('bad_call');
  });

  it('refuses a wrong derivative, naming the worst x and both values', async () => {
    const before = gs.activations.names();
    const wrong: ActivationSpec = {
      name: 'bad_derivative',
      formula: 'x²',
      range: [-2, 2],
      cpu: { f: (x) => x * x, df: (x) => x * x },
      wgsl: { f: 'return x * x;', df: 'return x * x;' },
    };
    await expect(gs.activations.register(wrong)).rejects.toThrow(
      /f' disagrees with finite differences of f: worst at x = -2: cpu\.df gives 4, finite difference -(4|3\.99999)/,
    );
    const wrongParam = squareplus('bad_param_derivative', {
      cpu: { ...squareplus('x').cpu, dparams: { b: (x, _y, p) => 0.5 / Math.sqrt(x * x + p.b[0]) } },
    });
    await expect(gs.activations.register(wrongParam)).rejects.toThrow(/∂f\/∂b\[0\] disagrees with finite differences of f: worst at x = 0: cpu\.dparams\.b gives 0\.25, finite difference 0\.125/);
    expect(gs.activations.names()).toEqual(before);
  });

  it('refuses a spec that gives NaN on its range', async () => {
    const nan: ActivationSpec = {
      name: 'bad_log',
      formula: 'ln x',
      range: [-1, 1],
      cpu: { f: (x) => Math.log(x), df: (x) => 1 / x },
      wgsl: { f: 'return log(x);', df: 'return 1.0 / x;' },
    };
    await expect(gs.activations.register(nan)).rejects.toThrow(/bad_log.*cpu\.f\(-1\) = NaN: f must be finite on its range \[-1, 1\]/);
    expect(gs.activations.names()).not.toContain('bad_log');
  });

  it('replace: a new version takes the name only once it passes every check; a refused one leaves the previous version', async () => {
    await gs.activations.register(squareplus(name));
    const previous = gs.activations.get(name);
    const wrongDerivative = squareplus(name, { cpu: { ...squareplus('x').cpu, df: () => 0.5 } });
    await expect(gs.activations.register(wrongDerivative, { replace: true })).rejects.toThrow(/f' disagrees with finite differences/);
    expect(gs.activations.get(name)).toBe(previous);
    expect(Array.from(await gs.activation(name).forward(gs.tensor([0])).toArray())).toEqual([1]);
    // A version with b = 1 by default: squareplus(0) = 0.5.
    const next = squareplus(name, { params: [{ name: 'b', default: 1, trainable: true }] });
    expect(await gs.activations.register(next, { replace: true })).toEqual({ name, wgsl: 'compiled' });
    expect(gs.activations.get(`${name}_alias`)).toBe(next);
    expect(gs.activations.names().filter((n) => n === name)).toHaveLength(1);
    expect(Array.from(await gs.activation(name).forward(gs.tensor([0])).toArray())).toEqual([0.5]);
    await expect(gs.activations.register(squareplus('relu'), { replace: true })).rejects.toThrow(/'relu' is a built-in activation and cannot be replaced/);
    await expect(gs.activations.register(squareplus(name, { aliases: ['gelu'] }), { replace: true })).rejects.toThrow(/the name 'gelu' is already taken by 'gelu'/);
    expect(gs.activations.get(name)).toBe(next);
  });

  it('refuses a name or alias already taken, and never removes a built-in', async () => {
    const before = gs.activations.names();
    await expect(gs.activations.register(squareplus('ReLU'))).rejects.toThrow(/the name 'relu' is already taken by 'relu'/);
    await expect(gs.activations.register(squareplus('bad_alias', { aliases: ['LeakyReLU'] }))).rejects.toThrow(/'leakyrelu' is already taken by 'leaky_relu'/);
    await gs.activations.register(squareplus(name));
    await expect(gs.activations.register(squareplus(name))).rejects.toThrow(new RegExp(`already taken by '${name}'`));
    expect(gs.activations.names()).toEqual([...before, name]);
    expect(() => gs.activations.unregister('relu')).toThrow(/'relu' is a built-in activation/);
    expect(gs.activations.unregister('no_such_activation')).toBe(false);
  });
});
