import { expect, it } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';
import { slopeSpec } from './models';

function expectGrid(actual: Float32Array, expected: (x: number, y: number) => number, xs: number[], ys: number[], tol = 1e-5): void {
  expect(actual).toHaveLength(xs.length * ys.length);
  ys.forEach((y, j) => xs.forEach((x, i) => {
    expect(Math.abs(actual[j * xs.length + i] - expected(x, y))).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected(x, y))));
  }));
}

describeBackends('analysis.activationSurface', () => {
  it('relu: Z = relu(x) + relu(y), |∇Z| = √(H(x)² + H(y)²) with relu\'(0) = 0, one row per y', async () => {
    const s = await gs.analysis.activationSurface('relu', { xRange: [-2, 2], yRange: [-1, 3], points: 5 });
    expect(s.x).toEqual([-2, -1, 0, 1, 2]);
    expect(s.y).toEqual([-1, 0, 1, 2, 3]);
    const relu = (v: number) => Math.max(0, v);
    const step = (v: number) => (v > 0 ? 1 : 0);
    expectGrid(s.z, (x, y) => relu(x) + relu(y), s.x, s.y);
    expectGrid(s.gradMagnitude, (x, y) => Math.hypot(step(x), step(y)), s.x, s.y);
  });

  it('tanh from a spec', async () => {
    const s = await gs.analysis.activationSurface(gs.activations.get('tanh'), { xRange: [-3, 3], points: 7 });
    const d = (v: number) => 1 - Math.tanh(v) ** 2;
    expectGrid(s.z, (x, y) => Math.tanh(x) + Math.tanh(y), s.x, s.y);
    expectGrid(s.gradMagnitude, (x, y) => Math.hypot(d(x), d(y)), s.x, s.y);
  });

  it('a trainable activation module with its current parameters, its gradients untouched', async () => {
    const prelu = gs.activation(slopeSpec, { a: 0.1 });
    const s = await gs.analysis.activationSurface(prelu, { xRange: [-2, 2], points: 5 });
    const f = (v: number) => (v > 0 ? v : 0.1 * v);
    const d = (v: number) => (v > 0 ? 1 : 0.1);
    expectGrid(s.z, (x, y) => f(x) + f(y), s.x, s.y);
    expectGrid(s.gradMagnitude, (x, y) => Math.hypot(d(x), d(y)), s.x, s.y);
    expect(prelu.parameters()[0].grad).toBeNull();
  });

  it('a user-registered activation', async () => {
    const spec = {
      name: 'analysis_test_cube',
      formula: 'x³',
      range: [-2, 2] as const,
      cpu: { f: (x: number) => x * x * x, df: (x: number) => 3 * x * x },
      wgsl: { f: 'return x * x * x;', df: 'return 3.0 * x * x;' },
    };
    const s = await gs.analysis.activationSurface(spec, { xRange: [-1, 1], points: 3 });
    expectGrid(s.z, (x, y) => x ** 3 + y ** 3, s.x, s.y);
    expectGrid(s.gradMagnitude, (x, y) => Math.hypot(3 * x * x, 3 * y * y), s.x, s.y);
  });
});
