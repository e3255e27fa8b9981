// Figures the comparison derives from gs.analysis's results, and f / f' of an
// activation on a grid (through its module and autograd).

import { lookupActivation } from '../engine/activation-registry';
import { tensor } from '../engine/creation';
import { activation as activationModule } from '../nn/activation';
import { activationSurface, type DeadLayer, type LayerGradientStats } from '../nn/analysis/index';
import type { ActivationChoice, ActivationParams } from './activation-choices';
import type { ActivationCurve, ActivationFigure } from './results';

/** ‖∂L/∂W‖ of the first layer over that of the last: ≪ 1 means vanishing gradients, ≫ 1 exploding. */
export function inputOutputGradientRatio(layers: readonly LayerGradientStats[]): number {
  if (layers.length === 0) return NaN;
  const last = layers[layers.length - 1].weight.l2;
  return last > 0 ? layers[0].weight.l2 / last : Infinity;
}

/** Share of all hidden units that are dead. */
export function deadRatio(layers: readonly DeadLayer[]): number {
  const units = layers.reduce((a, l) => a + l.units, 0);
  return units > 0 ? layers.reduce((a, l) => a + l.dead, 0) / units : 0;
}

/** f and f' of an activation (with the given parameters, else its defaults) on a grid, through its module and autograd. */
export async function activationCurve(name: string, range: readonly [number, number] = [-5, 5], points = 201, params: ActivationParams = {}): Promise<ActivationCurve> {
  const xs = Array.from({ length: points }, (_, i) => range[0] + ((range[1] - range[0]) * i) / (points - 1));
  const input = tensor(Float32Array.from(xs), { shape: [1, points], requiresGrad: true });
  const module = activationModule(name, params);
  // RReLU draws random slopes in training mode: the figure shows the function it evaluates with.
  module.eval();
  const y = module.forward(input);
  const total = y.sum();
  total.backward();
  const f = Array.from(await y.toArray());
  const df = Array.from(await input.grad!.toArray());
  total.dispose();
  y.dispose();
  input.grad?.dispose();
  input.dispose();
  for (const p of module.parameters()) p.grad?.dispose();
  module.dispose();
  return { x: xs, f, df };
}

/** A run's activation with its parameters: f and f' on a grid, and the gradient-magnitude surface of Z = f(x) + f(y) (gs.analysis.activationSurface). */
export async function activationFigure(choice: ActivationChoice): Promise<ActivationFigure> {
  const { activation: name, params, label } = choice;
  const spec = lookupActivation(name);
  // One x range for every activation so their curves share the axes (narrowed only
  // where a user's activation is defined on less).
  const range: [number, number] = [Math.max(-5, spec.range[0]), Math.min(5, spec.range[1])];
  const curve = await activationCurve(name, range, 201, params);
  const module = activationModule(name, params);
  module.eval();
  const s = await activationSurface(module, { xRange: range, yRange: range, points: 41 });
  module.dispose();
  return { name: label, activation: name, params, formula: spec.formula, curve, surface: { x: s.x, y: s.y, z: Array.from(s.z), gradMagnitude: Array.from(s.gradMagnitude) } };
}
