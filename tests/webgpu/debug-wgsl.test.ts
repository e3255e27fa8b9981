// "Show the shader" (issue 10): gs.debug.wgsl shows exactly the WGSL the pipelines
// were built from — generated from an activation's spec, or as last built for an op.
import { describe, expect, it } from 'vitest';
import * as gs from '../../index';

describe('gs.debug.wgsl', () => {
  it("an activation's listing is the text its fused linear forward and backward pipelines were built from", async () => {
    await gs.setBackend('webgpu');
    const backend = gs.getBackend();
    const model = new gs.nn.Sequential(new gs.nn.Linear(4, 8, { seed: 1 }), gs.activation('gelu'));
    const x = gs.randn([5, 4], { seed: 2 });
    const loss = model.forward(x).sum();
    loss.backward();
    await loss.item();
    const listings = gs.debug.wgsl('GELU', { linear: { m: 5, k: 4, n: 8 } });
    const byKernel = new Map(listings.map((l) => [l.kernel, l]));
    expect(byKernel.get('linear')!.wgsl).toBe(backend.wgslFor?.('linear'));
    expect(byKernel.get('linear')!.title).toContain(backend.matmulVariant);
    expect(byKernel.get('activation_backward_gelu')!.wgsl).toBe(backend.wgslFor?.('activation_backward_gelu'));
    // the spec's own f body is in the text that ran
    expect(byKernel.get('linear')!.wgsl).toContain(gs.activations.get('gelu').wgsl.f.trim());
    // an elementwise activation run on its own
    const y = gs.applyActivation(x, (gs.activation('gelu') as gs.nn.Activation).instance);
    await y.sum().item();
    expect(byKernel.get('activation_gelu')!.wgsl).toBe(backend.wgslFor?.('activation_gelu'));
  });

  it('a trainable activation lists the gradient kernel of each trainable parameter', async () => {
    await gs.setBackend('webgpu');
    const titles = gs.debug.wgsl('prelu').map((l) => l.title);
    expect(titles.some((t) => /gradient terms of parameter/.test(t))).toBe(true);
  });

  it('an op shows what the device last built for it, and an unknown one names what was built', async () => {
    await gs.setBackend('webgpu');
    const a = gs.randn([3, 5], { seed: 3 });
    const b = gs.randn([5, 2], { seed: 4 });
    await a.matmul(b).sum().item();
    const matmul = gs.debug.wgsl('matmul');
    expect(matmul.length).toBeGreaterThan(0);
    expect(matmul[0].wgsl).toMatch(/@compute/);
    expect(gs.debug.kernels()).toContain('matmul');
    expect(() => gs.debug.wgsl('no_such_op')).toThrow(/no kernel of that name has run.*built so far: .*matmul/);
  });

  it('on the CPU backend activations are still generated from the spec; ops say to use WebGPU', async () => {
    await gs.setBackend('cpu');
    expect(gs.debug.wgsl('tanh')[0].wgsl).toMatch(/@compute/);
    expect(() => gs.debug.wgsl('matmul')).toThrow(/runs no WGSL.*setBackend\('webgpu'\)/);
  });
});
