// Inside headless Chromium, the WebGPU backend (SwiftShader here) computes what the CPU
// reference computes: the library bundle is imported into a page served from 127.0.0.1
// and the same ops run on both backends over a set of shapes, forward and backward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

interface CaseResult {
  name: string;
  worst: number;
}

describe('WebGPU kernels in Chromium', () => {
  it('equal the CPU backend on a set of shapes (matmul, fused linear + activation forward/backward, reductions, softmax, cross-entropy, every activation)', async () => {
    const page = await h.browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(h.server.url, { waitUntil: 'load' });
    const report = await page.evaluate(async () => {
      // Through Function so vitest's transform leaves this import() alone: it runs in the page.
      const importInPage = new Function('url', 'return import(url)') as (url: string) => Promise<any>;
      const gs = await importInPage('/gradscope.browser.js');
      const description: string = await gs.setBackend('webgpu', { gpu: navigator.gpu });
      // Deterministic inputs: the same numbers on both backends.
      const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 2);
      type T = { toArray(): Promise<Float32Array>; grad: T | null; dispose(): void };
      // Each case builds its inputs and returns the tensors to compare (outputs, then gradients).
      const cases: { name: string; run: () => Promise<Float32Array[]> }[] = [];
      const read = async (ts: (T | null)[]) => Promise.all(ts.map((t) => t!.toArray()));
      for (const [m, k, n] of [[1, 1, 1], [7, 13, 5], [64, 128, 33], [130, 70, 257]]) {
        cases.push({
          name: `matmul ${m}x${k} · ${k}x${n}`,
          run: async () => {
            const a = gs.tensor(values(m * k, 1), { shape: [m, k], requiresGrad: true });
            const b = gs.tensor(values(k * n, 2), { shape: [k, n], requiresGrad: true });
            const c = gs.matmul(a, b);
            c.sum().backward();
            return read([c, a.grad, b.grad]);
          },
        });
      }
      for (const act of gs.activations.elementwiseNames()) {
        for (const [rows, inF, outF] of [[3, 5, 4], [33, 17, 65]]) {
          cases.push({
            name: `linear+${act} ${rows}x${inF} -> ${outF}`,
            run: async () => {
              const x = gs.tensor(values(rows * inF, 3), { shape: [rows, inF], requiresGrad: true });
              const layer = new gs.nn.Linear(inF, outF, { seed: 7 });
              const model = new gs.nn.Sequential(layer, gs.activation(act).eval());
              const y = model.forward(x);
              y.mul(y).sum().backward();
              return read([y, x.grad, layer.weight.grad, layer.bias.grad]);
            },
          });
        }
      }
      for (const [r, c] of [[1, 1], [4, 10], [100, 37]]) {
        cases.push({
          name: `softmax, sum, mean, max, cross-entropy ${r}x${c}`,
          run: async () => {
            const x = gs.tensor(values(r * c, 4), { shape: [r, c], requiresGrad: true });
            const labels = Int32Array.from({ length: r }, (_, i) => (i * 7) % c);
            const loss = gs.losses.crossEntropy(x, labels);
            loss.backward();
            return read([gs.softmax(x, -1), x.sum(0), x.mean(1), x.max(1), loss, x.grad]);
          },
        });
      }
      const results: { name: string; worst: number }[] = [];
      for (const c of cases) {
        await gs.setBackend('webgpu', { gpu: navigator.gpu });
        const onGpu = await c.run();
        await gs.setBackend('cpu');
        const onCpu = await c.run();
        let worst = 0;
        onGpu.forEach((g, i) => {
          const ref = onCpu[i];
          if (g.length !== ref.length) worst = Infinity;
          for (let j = 0; j < ref.length; j++) worst = Math.max(worst, Math.abs(g[j] - ref[j]) / Math.max(1, Math.abs(ref[j])));
        });
        results.push({ name: c.name, worst });
      }
      return { description, results };
    });
    expect(report.description).toMatch(/webgpu/i);
    const bad = (report.results as CaseResult[]).filter((r) => !(r.worst < 1e-4));
    expect(bad).toEqual([]);
    expect(report.results.length).toBeGreaterThan(10);
    expect(errors).toEqual([]);
    await page.close();
  });
});
