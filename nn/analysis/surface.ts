// The activation surface Z = f(x) + f(y) over a grid and its gradient magnitude |∇Z|,
// from autograd: the 3-D surface and gradient map of the activation literature.
// f runs on the grid's axes only (points values each); the grid is their broadcast sum,
// and ∇Z(x, y) = (f'(x), f'(y)) comes from one backward pass through f.

import type { ActivationSpec } from '../../engine/activation-spec';
import { noGrad } from '../../engine/autograd';
import { tensor } from '../../engine/creation';
import { activation, type ActivationOptions } from '../activation';
import { Module } from '../module';
import { linspace, withFreshGrads } from './device';

export interface SurfaceOptions {
  xRange?: readonly [number, number];
  yRange?: readonly [number, number];
  /** Grid points per axis (default 51). */
  points?: number;
  /** Parameter values when `act` is a name or spec. */
  params?: ActivationOptions;
}

export interface Surface {
  x: number[];
  y: number[];
  /** points × points, row-major, one row per y: z[j·points + i] = f(x[i]) + f(y[j]). */
  z: Float32Array;
  /** |∇Z| on the same grid: √(f'(x)² + f'(y)²). */
  gradMagnitude: Float32Array;
}

/** act: a name ('gelu'), a spec (a user's), or an activation module (trainable, with its current parameters). */
export async function activationSurface(act: string | ActivationSpec | Module, options: SurfaceOptions = {}): Promise<Surface> {
  const { xRange = [-4, 4], yRange = xRange, points = 51 } = options;
  for (const [name, r] of [['xRange', xRange], ['yRange', yRange]] as const) {
    if (!(r[1] > r[0])) throw new Error(`activationSurface: ${name} [${r[0]}, ${r[1]}] must have lo < hi`);
  }
  const module = act instanceof Module ? act : activation(act, options.params);
  const xs = linspace(xRange[0], xRange[1], points);
  const ys = linspace(yRange[0], yRange[1], points);
  return withFreshGrads(module.parameters(), async () => {
    const x = tensor(xs, { requiresGrad: true });
    const y = tensor(ys, { requiresGrad: true });
    const fx = module.forward(x);
    const fy = module.forward(y);
    const sx = fx.sum();
    const sy = fy.sum();
    const total = sx.add(sy);
    total.backward();
    const [z, gradMagnitude] = noGrad(() => {
      const row = fx.reshape([1, points]);
      const column = fy.reshape([points, 1]);
      const zGrid = row.add(column);
      const gx2 = x.grad!.square();
      const gy2 = y.grad!.square();
      const gxRow = gx2.reshape([1, points]);
      const gyColumn = gy2.reshape([points, 1]);
      const sumSq = gxRow.add(gyColumn);
      const mag = sumSq.sqrt();
      for (const t of [row, column, gx2, gy2, gxRow, gyColumn, sumSq]) t.dispose();
      return [zGrid, mag];
    });
    const result = { x: xs, y: ys, z: await z.toArray(), gradMagnitude: await gradMagnitude.toArray() };
    for (const t of [x, y, fx, fy, sx, sy, total, z, gradMagnitude, x.grad!, y.grad!]) t.dispose();
    if (module !== act) module.dispose();
    return result;
  });
}
