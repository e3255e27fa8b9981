// One WGSL wrapper for an activation (issue 16, knot 3): the functions generated from a
// spec are the same text in every kernel that runs it, a user spec is validated against
// the kernel itself (compiled on a device, or parsed where there is none), and every
// compiler or parser line comes back as the spec field and line by the one line map.
import { afterEach, describe, expect, it } from 'vitest';
import * as gs from '../../index';
import type { ActivationSpec } from '../../engine/activation-spec';
import { paramLayout } from '../../engine/activation-spec';
import {
  activationBackwardKernel,
  activationForwardKernel,
  activationFunctions,
  activationParamTermsKernel,
  locateSpecLine,
  specSectionsIn,
} from '../../kernels/activation';
import { matmulKernel } from '../../kernels/matmul';
import { checkWgsl, openValidationDevice } from '../../activations/validate';

/** f = x·b with b trainable, a helper, and a two-line f'. */
function scaled(name: string, wgsl: Partial<ActivationSpec['wgsl']> = {}): ActivationSpec {
  return {
    name,
    formula: 'b·x',
    range: [-2, 2],
    params: [{ name: 'b', default: 2, trainable: true }],
    cpu: { f: (x, p) => p.b[0] * x, df: (_x, _y, p) => p.b[0], dparams: { b: (x) => x } },
    wgsl: {
      helpers: 'fn times_b(v: f32) -> f32 {\n  return v * p_b(0u);\n}',
      f: 'return times_b(x);',
      df: 'let slope = p_b(0u);\nreturn slope;',
      dparams: { b: 'return x;' },
      ...wgsl,
    },
  };
}

afterEach(() => {
  for (const n of gs.activations.names()) if (n.startsWith('wrapper_')) gs.activations.unregister(n);
});

describe('the one activation wrapper', () => {
  it('every kernel that runs a spec holds the same generated functions, at the lines its map says', () => {
    const spec = scaled('wrapper_same');
    const act = { spec, layout: paramLayout(spec) };
    const { text } = activationFunctions(act);
    const kernels = [
      activationForwardKernel(act).wgsl,
      activationBackwardKernel(act, true, false).wgsl,
      activationParamTermsKernel(act, 'b', false, true, false).wgsl,
      matmulKernel({ variant: 'blocked4x4', transA: false, transB: true, bias: true, act, keepZ: true }).wgsl,
      matmulKernel({ variant: 'tiled', transA: false, transB: true, bias: true, act, keepZ: false }).wgsl,
    ];
    // Each kernel's map points at the spec's own lines.
    for (const wgsl of kernels) {
      expect(wgsl).toContain(text);
      const lines = wgsl.split('\n');
      const sections = specSectionsIn(wgsl, act);
      expect(sections.map((s) => s.field)).toEqual(['helpers', 'f', 'df', 'dparams.b']);
      for (const s of sections) {
        const field = s.field === 'helpers' ? spec.wgsl.helpers! : s.field.startsWith('dparams.') ? spec.wgsl.dparams![s.field.slice(8)] : spec.wgsl[s.field as 'f' | 'df'];
        expect(lines.slice(s.firstLine, s.firstLine + s.lineCount).join('\n'), s.field).toBe(field);
      }
    }
    // A line of the spec's text, the closing brace after a body (a compiler's "missing return"), and a generated line.
    const sections = specSectionsIn(kernels[0], act);
    const df = sections.find((s) => s.field === 'df')!;
    expect(locateSpecLine(sections, df.firstLine + 2, 7)).toEqual({ field: 'df', line: 2, column: 7 });
    expect(locateSpecLine(sections, df.firstLine + df.lineCount + 1, 1)).toEqual({ field: 'df', line: 2, column: 0 });
    expect(locateSpecLine(sections, 1, 3)).toEqual({ field: null, line: 1, column: 3 });
  });

  it('the parser (no device at hand) and the compiler name the same field and line', async () => {
    const broken = scaled('wrapper_broken', { df: 'let slope = p_b(0u);\nreturn (slope;' });
    await expect(checkWgsl(broken, null)).rejects.toThrow(/wrapper_broken.*WGSL does not parse: wgsl\.df line 2/);
    const device = (await openValidationDevice())!;
    await expect(checkWgsl(broken, device)).rejects.toThrow(/wrapper_broken.*WGSL does not compile: wgsl\.df line 2(:\d+)?: /);
    const missingReturn = scaled('wrapper_no_return', { dparams: { b: 'let d = x;' } });
    await expect(checkWgsl(missingReturn, device)).rejects.toThrow(/WGSL does not compile: wgsl\.dparams\.b line 1: .*missing return/);
    expect(await checkWgsl(scaled('wrapper_fine'), null)).toBe('parsed');
    expect(await checkWgsl(scaled('wrapper_fine'), device)).toBe('compiled');
  });

  it('a helper that clashes with a name the kernels declare is refused at compile time, at its field and line', async () => {
    // u_channels() is the elementwise kernels' uniform accessor: the old separate check modules
    // had none, so this compiled there and failed only later, in the kernel, with no spec line.
    const clash = scaled('wrapper_clash', { helpers: 'fn times_b(v: f32) -> f32 { return v * p_b(0u); }\nfn u_channels() -> u32 { return 3u; }' });
    await expect(gs.activations.register(clash)).rejects.toThrow(/wrapper_clash.*WGSL does not compile: wgsl\.helpers line 2(:\d+)?: .*u_channels/);
    expect(gs.activations.names()).not.toContain('wrapper_clash');
  });

  it('a helper that clashes with a name only the fused linear kernel declares is refused at compile time, at its field and line', async () => {
    // gs_load_a() is the fused linear kernel's: the elementwise kernels, which the validation run uses, compile with it.
    const clash = scaled('wrapper_linear_clash', { helpers: 'fn times_b(v: f32) -> f32 { return v * p_b(0u); }\nfn gs_load_a(v: f32) -> f32 { return v; }' });
    // The compiler reports the kernel's own declaration, and notes the spec's line as the first one.
    await expect(gs.activations.register(clash)).rejects.toThrow(
      /wrapper_linear_clash.*WGSL does not compile: generated WGSL line \d+:\d+: redeclaration of 'gs_load_a', wgsl\.helpers line 2:1: 'gs_load_a' previously declared here/,
    );
    expect(gs.activations.names()).not.toContain('wrapper_linear_clash');
  });

  it("helpers named like the fused linear kernel's own before they took the gs_ prefix (load_a, load_b, store) are accepted, and the fused layer runs them", async () => {
    const helpers = [
      'fn load_a(v: f32) -> f32 { return v * p_b(0u); }',
      'fn load_b(v: f32) -> f32 { return v; }',
      'fn store(v: f32) -> f32 { return load_b(v); }',
      'fn store_block(v: f32) -> f32 { return v; }',
      'fn times_b(v: f32) -> f32 { return store(load_a(v)); }',
    ].join('\n');
    const spec = scaled('wrapper_old_names', { helpers });
    await gs.activations.register(spec);
    expect(gs.activations.names()).toContain('wrapper_old_names');
    // f = b·x with b = 2, in the fused linear kernel of each matmul variant: Y = 2·(X·Wᵀ + bias).
    const x = [[1, -2], [0.5, 3], [-1, 0]];
    const w = [[0.25, 1], [-0.5, 2]];
    const bias = [0.5, -1];
    const expected = x.map((row) => w.map((wr, j) => 2 * (row[0] * wr[0] + row[1] * wr[1] + bias[j])));
    // register() compiled the fused kernel in both matmul variants; this runs the adapter's.
    const previous = gs.getBackend();
    try {
      for (const backend of ['cpu', 'webgpu'] as const) {
        await gs.setBackend(backend);
        const y = gs.linear(gs.tensor(x), gs.tensor(w), gs.tensor(bias), (gs.activation('wrapper_old_names') as gs.nn.Activation).instance);
        expect(await y.toNested(), backend).toEqual(expected);
      }
    } finally {
      await gs.setBackend(previous);
    }
  });

  it('gs.debug.wgsl lists the kernels the backend builds from the same generator', async () => {
    const spec = scaled('wrapper_debug');
    await gs.activations.register(spec);
    const { text } = activationFunctions({ spec, layout: paramLayout(spec) });
    const listings = gs.debug.wgsl('wrapper_debug');
    expect(listings.map((l) => l.kernel)).toEqual(['linear', 'activation_wrapper_debug', 'activation_backward_wrapper_debug', 'activation_dparam_wrapper_debug_b']);
    for (const l of listings) expect(l.wgsl).toContain(text);
  });
});
