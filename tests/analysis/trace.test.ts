import { expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';
import { slopeSpec } from './models';
import { CpuBackend } from '../../engine/backends/cpu';

function near(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i])));
}

describeBackends('gs.trace', (backend) => {
  it('records exactly the nodes, shapes, edges and gradients of tanh(x·w).sum()', async () => {
    const X = [[1, 2], [3, -4]];
    const W = [[0.5], [-0.25]];
    const x = gs.tensor(X, { requiresGrad: true, name: 'x' });
    const w = gs.tensor(W, { requiresGrad: true, name: 'w' });
    const graph = await gs.trace(() => x.matmul(w).tanh().sum(), { backward: true, values: true });

    expect(graph.backend).toBe(backend);
    expect(graph.nodes.map((n) => [n.id, n.op, n.name ?? null, n.inputs, n.shape])).toEqual([
      [0, 'parameter', 'x', [], [2, 2]],
      [1, 'parameter', 'w', [], [2, 1]],
      [2, 'matmul', null, [0, 1], [2, 1]],
      [3, 'activation', null, [2], [2, 1]],
      [4, 'sum', null, [3], []],
    ]);
    expect(graph.nodes[2].inputShapes).toEqual([[2, 2], [2, 1]]);
    expect(graph.nodes[3].activation).toBe('tanh');
    expect(graph.nodes[4].attributes).toMatchObject({ axis: null, keepdim: false });
    expect(graph.edges).toEqual([
      { from: 0, to: 2, index: 0 },
      { from: 1, to: 2, index: 1 },
      { from: 2, to: 3, index: 0 },
      { from: 3, to: 4, index: 0 },
    ]);
    expect(graph.output).toBe(4);
    for (const n of graph.nodes) expect(n.backend).toBe(backend);

    // Forward values and upstream gradients, by hand.
    const z = X.map((r) => r[0] * W[0][0] + r[1] * W[1][0]);
    const t = z.map(Math.tanh);
    const dz = t.map((v) => 1 - v * v);
    near(graph.nodes[2].value!, z);
    near(graph.nodes[3].value!, t);
    near(graph.nodes[4].value!, [t[0] + t[1]]);
    expect(graph.nodes[4].grad).toEqual({ norm: 1, mean: 1, min: 1, max: 1 });
    near(graph.nodes[3].gradValue!, [1, 1]);
    expect(graph.nodes[3].grad!.norm).toBeCloseTo(Math.SQRT2, 6);
    near(graph.nodes[2].gradValue!, dz);
    expect(graph.nodes[2].grad!.norm).toBeCloseTo(Math.hypot(...dz), 6);
    expect(graph.nodes[2].grad!.min).toBeCloseTo(Math.min(...dz), 6);
    expect(graph.nodes[2].grad!.mean).toBeCloseTo((dz[0] + dz[1]) / 2, 6);
    // Leaves: their .grad. dX = dZ·Wᵀ, dW = Xᵀ·dZ.
    const dx = [dz[0] * W[0][0], dz[0] * W[1][0], dz[1] * W[0][0], dz[1] * W[1][0]];
    const dw = [X[0][0] * dz[0] + X[1][0] * dz[1], X[0][1] * dz[0] + X[1][1] * dz[1]];
    near(graph.nodes[0].gradValue!, dx);
    near(graph.nodes[1].gradValue!, dw);
    near(await x.grad!.toArray(), dx);
    expect(graph.nodes[1].grad!.max).toBeCloseTo(Math.max(...dw), 6);
  });

  it('sees a fused linear layer with its activation and parameters, and a backward run inside fn', async () => {
    const model = new gs.nn.Sequential(new gs.nn.Linear(3, 4, { seed: 1 }), gs.activation(slopeSpec, { a: 0.2 }), new gs.nn.Linear(4, 2, { seed: 2 }));
    const x = gs.randn([5, 3], { seed: 3 });
    const graph = await gs.trace(() => {
      const loss = gs.losses.crossEntropy(model.forward(x), [0, 1, 1, 0, 1]);
      loss.backward();
      return loss;
    });
    const ops = graph.nodes.filter((n) => n.inputs.length > 0).map((n) => n.op);
    expect(ops).toEqual(['linear', 'linear', 'crossEntropy', 'mean']);
    const fused = graph.nodes.find((n) => n.op === 'linear' && n.activation)!;
    expect(fused).toMatchObject({ activation: 'analysis_test_slope', shape: [5, 4], inputShapes: [[5, 3], [4, 3], [4], [1]], attributes: { fused: true } });
    expect(fused.params!.a[0]).toBeCloseTo(0.2, 6);
    expect(fused.kernel === null || typeof fused.kernel === 'string').toBe(true);
    const leaves = graph.nodes.filter((n) => n.inputs.length === 0).map((n) => [n.op, n.shape]);
    expect(leaves).toEqual([
      ['input', [5, 3]],
      ['parameter', [4, 3]],
      ['parameter', [4]],
      ['parameter', [1]],
      ['parameter', [2, 4]],
      ['parameter', [2]],
    ]);
    // Every node on the path from the parameters to the loss got an upstream gradient.
    for (const n of graph.nodes) if (n.requiresGrad) expect(n.grad, `node ${n.id} ${n.op}`).toBeDefined();
    const firstWeight = graph.nodes[1];
    const g = await model.layers[0].parameters()[0].grad!.toArray();
    expect(firstWeight.grad!.norm).toBeCloseTo(Math.hypot(...g), 5);
  });

  it('startTrace observes a forward now and a backward later; trace() passes fn\'s value and errors through', async () => {
    const a = gs.tensor([1, -2, 3], { requiresGrad: true });
    const session = gs.startTrace({ values: true });
    const y = a.mul(a).sum(); // Σ a²
    const forwardOnly = y; // the page shows the forward first...
    forwardOnly.backward(); // ...then steps backward
    const graph = await session.stop(y);
    expect(graph.nodes.map((n) => n.op)).toEqual(['parameter', 'mul', 'sum']);
    expect(graph.output).toBe(2);
    expect(graph.nodes[2].value).toEqual([14]);
    near(graph.nodes[1].gradValue!, [1, 1, 1]);
    near(graph.nodes[0].gradValue!, [2, -4, 6]);
    await expect(session.stop()).rejects.toThrow(/already stopped/);

    const traced = await gs.trace(() => 42);
    expect(traced.result).toBe(42);
    expect(traced.nodes).toEqual([]);
    await expect(gs.trace(() => { throw new Error('inside fn'); })).rejects.toThrow('inside fn');
    await expect(gs.trace(() => 1, { backward: true })).rejects.toThrow(/scalar tensor/);
    // The failed traces stopped listening: nothing recorded afterwards leaks into a new one.
    const later = await gs.trace(() => a.add(1));
    expect(later.nodes.map((n) => n.op)).toEqual(['parameter', 'affine']);
  });

  it('attributes the kernels a backend reports to the op that ran them, forward and backward', async () => {
    // A real CPU backend that also tells which kernels it runs (Backend.observeDispatches).
    class ReportingCpu extends CpuBackend {
      readonly listeners = new Set<gs.DispatchListener>();
      observeDispatches(listener: gs.DispatchListener) {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      }
      private report(kernel: string, workgroups: number[]) {
        for (const listener of this.listeners) listener(kernel, workgroups);
      }
      override matmul(...args: Parameters<CpuBackend['matmul']>) {
        this.report(args[5] || args[6] ? 'matmul_t' : 'matmul', [args[2], args[4], 1]);
        return super.matmul(...args);
      }
      override reduce(...args: Parameters<CpuBackend['reduce']>) {
        this.report(`reduce_${args[0]}`, [1, 1, 1]);
        return super.reduce(...args);
      }
    }
    const reporting = new ReportingCpu(Float32Array);
    const previous = gs.getBackend();
    await gs.setBackend(reporting);
    try {
      const a = gs.tensor([[1, 2], [3, 4], [5, 6]], { requiresGrad: true });
      const b = gs.tensor([[1], [2]], { requiresGrad: true });
      const graph = await gs.trace(() => a.matmul(b).sum(), { backward: true });
      const [, , mm, total] = graph.nodes;
      expect(mm).toMatchObject({ op: 'matmul', kernel: 'matmul', dispatch: [3, 1, 1], kernels: [{ kernel: 'matmul', workgroups: [3, 1, 1] }] });
      expect(total).toMatchObject({ op: 'sum', kernel: 'reduce_sum', dispatch: [1, 1, 1] });
      // matmul's backward: dA = dC·Bᵀ and dB = Aᵀ·dC.
      expect(mm.backwardKernels.map((k) => k.kernel)).toEqual(['matmul_t', 'matmul_t']);
      expect(graph.nodes[0].kernels).toEqual([]);
      expect(reporting.listeners.size).toBe(0); // trace stopped listening
    } finally {
      await gs.setBackend(previous);
    }
  });

  it('toDot gives well-formed DOT with one statement per node and per edge', async () => {
    const a = gs.tensor([1, 2, 3], { requiresGrad: true, name: 'a "quoted"' });
    const graph = await gs.trace(() => a.mul(a).sum(), { backward: true });
    const dot = gs.toDot(graph);
    const lines = dot.trim().split('\n');
    expect(lines[0]).toBe('digraph "gradscope" {');
    expect(lines[lines.length - 1]).toBe('}');
    const nodeLines = lines.filter((l) => /^ {2}n\d+ \[label=".*", shape=(box|ellipse)(, style=bold)?\];$/.test(l));
    const edgeLines = lines.filter((l) => /^ {2}n\d+ -> n\d+ \[label="\d+"\];$/.test(l));
    expect(nodeLines).toHaveLength(graph.nodes.length);
    expect(edgeLines).toHaveLength(graph.edges.length);
    expect(lines).toHaveLength(3 + graph.nodes.length + graph.edges.length + 1);
    // mul(a, a): two edges from the same leaf, arguments 0 and 1.
    expect(edgeLines).toContain('  n0 -> n1 [label="0"];');
    expect(edgeLines).toContain('  n0 -> n1 [label="1"];');
    expect(nodeLines[0]).toContain('a \\"quoted\\"\\n[3]\\n|grad| ');
    const ids = new Set(nodeLines.map((l) => l.trim().split(' ')[0]));
    for (const e of edgeLines) for (const id of e.trim().split(' -> ').map((s) => s.split(' ')[0])) expect(ids.has(id)).toBe(true);
  });
});

