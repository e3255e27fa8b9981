// The step budget of a validation run (activations/step-budget.ts): every loop
// body and every user function spends a step, comments are left alone, and a spec
// written with every kind of loop, nested comments, a vector-returning and a void
// helper still compiles and gives its own values once counted. A loop that outruns
// the budget on part of the range is refused at the first x where it does.
import { afterEach, describe, expect, it } from 'vitest';
import * as gs from '../../index';
import type { ActivationSpec } from '../../engine/activation-spec';
import { countSteps, STEP_BUDGET } from '../../activations/step-budget';

describe('step budget of validation runs', () => {
  afterEach(() => {
    for (const n of gs.activations.names()) if (n.startsWith('counted_')) gs.activations.unregister(n);
  });

  it('spends a step at the top of every loop and function body, and leaves comments alone', () => {
    const text = [
      '/* fn a() -> f32 { /* nested loop { */ while { */',
      'fn pair(v: f32) -> vec2<f32> { return vec2<f32>(v, v); } // for (;;) {',
      'fn scale(p: ptr<function, f32>) { *p = 2.0 * *p; }',
      'fn looped(v: f32) -> f32 { var s = v; loop { s = s + 1.0; continuing { break if s > 3.0; } } for (var i = 0u; i < 2u; i++) { s = s * 2.0; } while s > 1.0 { s = s / 2.0; } return s; }',
    ].join('\n');
    const counted = countSteps(text).split('\n');
    expect(counted[0]).toBe('/* fn a() -> f32 { /* nested loop { */ while { */');
    expect(counted[1]).toBe('fn pair(v: f32) -> vec2<f32> { if (gs_budget_step()) { return vec2<f32>(); } return vec2<f32>(v, v); } // for (;;) {');
    expect(counted[2]).toBe('fn scale(p: ptr<function, f32>) { if (gs_budget_step()) { return; } *p = 2.0 * *p; }');
    expect(counted[3]).toBe(
      'fn looped(v: f32) -> f32 { if (gs_budget_step()) { return f32(); } var s = v; loop { if (gs_budget_step()) { break; } s = s + 1.0; continuing { break if s > 3.0; } } ' +
        'for (var i = 0u; i < 2u; i++) { if (gs_budget_step()) { break; } s = s * 2.0; } while s > 1.0 { if (gs_budget_step()) { break; } s = s / 2.0; } return s; }',
    );
    expect(countSteps('return x;', 'f32')).toBe('\n  if (gs_budget_step()) { return f32(); }\nreturn x;');
  });

  it('a spec with every kind of loop, nested comments and vector and void helpers registers and gives its own values', async () => {
    const spec: ActivationSpec = {
      name: 'counted_loops',
      formula: '2x + x²',
      range: [-2, 2],
      cpu: { f: (x) => 2 * x + x * x, df: (x) => 2 + 2 * x },
      wgsl: {
        helpers: [
          '/* helpers /* nested */ for { while { */',
          'fn pair(v: f32) -> vec2<f32> { return vec2<f32>(v, 2.0 * v); } // loop {',
          'fn scale(p: ptr<function, f32>, k: f32) { *p = *p * k; }',
          'fn poly(v: f32) -> f32 {',
          '  var s = 0.0;',
          '  var i = 0u;',
          '  loop {',
          '    s = s * v + 1.0;',
          '    continuing { i = i + 1u; break if i >= 3u; }',
          '  }',
          '  return s; // 1 + v + v²',
          '}',
        ].join('\n'),
        f: 'var k = 0u;\nwhile k < 2u { k = k + 1u; }\nvar t = pair(x).y;\nscale(&t, 0.5);\nfor (var j = 0u; j < 4u; j++) { t = t + 0.0; }\nreturn t + poly(x) - 1.0 + f32(k) - 2.0;',
        df: 'return 2.0 + 2.0 * x;',
      },
    };
    for (const backend of ['cpu', 'webgpu'] as const) {
      await gs.setBackend(backend);
      expect(await gs.activations.register(spec)).toEqual({ name: 'counted_loops', wgsl: 'compiled' });
      const y = await gs.activation('counted_loops').forward(gs.tensor([-1.5, 0, 2])).toArray();
      expect(Array.from(y)).toEqual([-0.75, 0, 8]);
      gs.activations.unregister('counted_loops');
    }
  });

  it('refuses a loop that outruns the budget on part of the range, at the first x where it does', async () => {
    await gs.setBackend('cpu');
    // 40,000·x iterations: past the budget from x = 65,536 / 40,000 ≈ 1.64 on.
    const spec: ActivationSpec = {
      name: 'counted_long',
      formula: 'x',
      range: [-2, 2],
      cpu: { f: (x) => x, df: () => 1 },
      wgsl: { f: 'var s = x;\nfor (var i = 0u; i < u32(max(x, 0.0) * 40000.0); i++) { s = s + 0.0; }\nreturn s;', df: 'return 1.0;' },
    };
    await expect(gs.activations.register(spec)).rejects.toThrow(
      new RegExp(`counted_long.*stopped at x = 1\\.6399\\d*: one element took more than ${STEP_BUDGET} loop iterations and function calls`),
    );
    expect(gs.activations.names()).not.toContain('counted_long');
  });
});
