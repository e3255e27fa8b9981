// The built-ins' two forms (issue 16, "the one-formula door"): those that are plainly a
// formula are written once, with gs.activations.fromExpression, and give exactly the
// numbers of the hand-written specs they replaced (kept below as they were), values and
// every gradient, bit for bit, on both backends, at the extremes, ±0, ±∞ and NaN; every
// other built-in says why it is written by hand.
import { expect, it } from 'vitest';
import * as gs from '../../index';
import { channelValue, paramLayout, type ActivationSpec } from '../../engine/activation-spec';
import { activation as activationOp } from '../../engine/ops';
import { WGSL_TANH } from '../../activations/builtin/math';
import { describeBackends } from '../helpers/backends';

/** The hand-written specs as they were before they became formulas. */
const HAND_WRITTEN: Record<string, ActivationSpec> = {
  identity: {
    name: 'identity', formula: 'x', range: [-3, 3], derivativeUses: 'output',
    cpu: { f: (x) => x, df: () => 1 },
    wgsl: { f: 'return x;', df: 'return 1.0;' },
  },
  step: {
    name: 'step', formula: '1 if x > 0, else 0', range: [-3, 3], derivativeUses: 'output', kinks: () => [0],
    cpu: { f: (x) => (x > 0 ? 1 : 0), df: () => 0 },
    wgsl: { f: 'return select(0.0, 1.0, x > 0.0);', df: 'return 0.0;' },
  },
  tanh: {
    name: 'tanh', formula: 'tanh', range: [-4, 4], derivativeUses: 'output',
    cpu: { f: (x) => Math.tanh(x), df: (_x, y) => 1 - y * y },
    wgsl: { helpers: WGSL_TANH, f: 'return gs_tanh(x);', df: 'return 1.0 - y * y;' },
  },
  leaky_relu: {
    name: 'leaky_relu', formula: 'leaky', range: [-4, 4], params: [{ name: 'negative_slope', default: 0.01 }], kinks: () => [0],
    cpu: { f: (x, p) => (x > 0 ? x : p.negative_slope[0] * x), df: (x, _y, p) => (x > 0 ? 1 : p.negative_slope[0]) },
    wgsl: { f: 'return select(p_negative_slope(0u) * x, x, x > 0.0);', df: 'return select(p_negative_slope(0u), 1.0, x > 0.0);' },
  },
  prelu: {
    name: 'prelu', formula: 'prelu', range: [-4, 4], params: [{ name: 'weight', default: 0.25, trainable: true, perChannel: true }], kinks: () => [0],
    cpu: {
      f: (x, p, ch) => (x > 0 ? x : channelValue(p.weight, ch) * x),
      df: (x, _y, p, ch) => (x > 0 ? 1 : channelValue(p.weight, ch)),
      dparams: { weight: (x) => (x > 0 ? 0 : x) },
    },
    wgsl: {
      f: 'return select(p_weight(ch) * x, x, x > 0.0);',
      df: 'return select(p_weight(ch), 1.0, x > 0.0);',
      dparams: { weight: 'return select(x, 0.0, x > 0.0);' },
    },
  },
  rrelu: {
    name: 'rrelu', formula: 'rrelu', range: [-4, 4], params: [{ name: 'lower', default: 1 / 8 }, { name: 'upper', default: 1 / 3 }], kinks: () => [0],
    cpu: { f: (x, p) => (x > 0 ? x : 0.5 * (p.lower[0] + p.upper[0]) * x), df: (x, _y, p) => (x > 0 ? 1 : 0.5 * (p.lower[0] + p.upper[0])) },
    wgsl: {
      f: 'return select(0.5 * (p_lower(0u) + p_upper(0u)) * x, x, x > 0.0);',
      df: 'return select(0.5 * (p_lower(0u) + p_upper(0u)), 1.0, x > 0.0);',
    },
  },
};

const magnitudes = [1e-30, 1e-7, 1e-3, 0.1, 0.5, 1, 2, 3, 6, 20, 88.5, 100, 1e3, 1e4, 3e38];
const XS = [0, -0, NaN, Infinity, -Infinity, ...magnitudes, ...magnitudes.map((m) => -m), ...Array.from({ length: 82 }, (_, i) => -4 + i / 10)];
/** Rows of 3 channels, so a per-channel parameter gets three different values. */
const CHANNELS = 3;

/** f, f' and each trainable parameter's gradient for x of shape [rows, 3]. */
async function run(spec: ActivationSpec, values: Record<string, number[]>): Promise<Float32Array[]> {
  const layout = paramLayout(spec, CHANNELS);
  const params = layout.map((p) => gs.tensor(values[p.name], { requiresGrad: p.trainable }));
  const x = gs.tensor(XS, { shape: [XS.length / CHANNELS, CHANNELS], requiresGrad: true });
  const y = activationOp(x, { spec, layout, params });
  y.sum().backward();
  const out = await Promise.all([y.toArray(), x.grad!.toArray(), ...params.filter((p) => p.requiresGrad).map((p) => p.grad!.toArray())]);
  gs.dispose(x, y, ...params);
  return out as Float32Array[];
}

it('every elementwise built-in is a formula, or says why it is written by hand', () => {
  for (const name of gs.activations.elementwiseNames()) {
    const spec = gs.activations.get(name) as ActivationSpec & { expression?: unknown };
    if (spec.expression) {
      expect(spec.handWritten, name).toBeUndefined();
      continue;
    }
    expect(spec.handWritten, `${name} is hand-written and does not say why`).toMatch(/^(speed|stability|NaN|a kink convention|vector parameters|numbers)\b.{20,}/);
  }
  expect(Object.keys(HAND_WRITTEN).every((name) => 'expression' in gs.activations.get(name))).toBe(true);
});

describeBackends('built-ins written as formulas', () => {
  for (const [name, before] of Object.entries(HAND_WRITTEN)) {
    it(`${name}: the same values and gradients, bit for bit, as its hand-written form (extremes, ±0, ±∞, NaN)`, async () => {
      // The formula's own forms: a SIMD form added to one (tanh's float32 kernel) is
      // tested against the reference in its own test (tests/engine/tanh-simd.test.ts).
      const registered = gs.activations.get(name);
      const now: ActivationSpec = { ...registered, cpu: { ...registered.cpu, simd: undefined } };
      expect(now.derivativeUses ?? 'input').toBe(before.derivativeUses ?? 'input');
      // Per-channel parameters get three values; shared ones their default.
      const values: Record<string, number[]> = {};
      for (const p of paramLayout(before, CHANNELS)) values[p.name] = p.length === CHANNELS ? [0.25, -0.5, 3] : [before.params!.find((q) => q.name === p.name)!.default as number];
      const [want, got] = [await run(before, values), await run(now, values)];
      expect(got.length).toBe(want.length);
      got.forEach((g, i) => expect(g, `${name}: output ${i} (0: f, 1: f', then ∂L/∂param)`).toEqual(want[i]));
    });
  }
});
