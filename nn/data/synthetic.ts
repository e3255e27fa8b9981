// Synthetic 2-D classification sets, seeded: moons and circles as scikit-learn's
// make_moons / make_circles (then shuffled), spirals (one arm per class, as CS231n's),
// and XOR (the four quadrants). Noise is Gaussian with standard deviation `noise`.

import { Random } from '../../engine/random';
import { ArrayDataset } from './dataset';

export interface SyntheticOptions {
  /** Number of points (default 1000). */
  n?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate (default 0.1; xor 0). */
  noise?: number;
  seed?: number;
}

function checkN(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 2) throw new Error(`${name}: n must be an integer >= 2, got ${n}`);
}

/** Shuffle the points (as sklearn's shuffle=True) and add the noise, then wrap. */
function finish(name: string, points: number[][], labels: number[], classes: number, noise: number, rng: Random): ArrayDataset {
  if (!(noise >= 0)) throw new Error(`${name}: noise must be >= 0, got ${noise}`);
  const order = Array.from(points, (_, i) => i);
  rng.shuffle(order);
  const x = new Float32Array(points.length * 2);
  const y = new Int32Array(points.length);
  order.forEach((src, i) => {
    x[2 * i] = points[src][0] + noise * rng.normal();
    x[2 * i + 1] = points[src][1] + noise * rng.normal();
    y[i] = labels[src];
  });
  return new ArrayDataset(x, y, 2, classes, name);
}

function linspace(start: number, stop: number, n: number, endpoint = true): number[] {
  const step = (stop - start) / (endpoint ? Math.max(1, n - 1) : n);
  return Array.from({ length: n }, (_, i) => start + i * step);
}

/** Two interleaving half circles (sklearn.datasets.make_moons). */
export function moons(options: SyntheticOptions = {}): ArrayDataset {
  const { n = 1000, noise = 0.1, seed = 0 } = options;
  checkN('moons', n);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const points: number[][] = [];
  const labels: number[] = [];
  for (const t of linspace(0, Math.PI, nOut)) points.push([Math.cos(t), Math.sin(t)]), labels.push(0);
  for (const t of linspace(0, Math.PI, nIn)) points.push([1 - Math.cos(t), 1 - Math.sin(t) - 0.5]), labels.push(1);
  return finish('moons', points, labels, 2, noise, new Random(seed));
}

/** A small circle inside a large one (sklearn.datasets.make_circles, factor 0.8 by default). */
export function circles(options: SyntheticOptions & { factor?: number } = {}): ArrayDataset {
  const { n = 1000, noise = 0.1, seed = 0, factor = 0.8 } = options;
  checkN('circles', n);
  if (!(factor > 0 && factor < 1)) throw new Error(`circles: factor must be in (0, 1), got ${factor}`);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const points: number[][] = [];
  const labels: number[] = [];
  for (const t of linspace(0, 2 * Math.PI, nOut, false)) points.push([Math.cos(t), Math.sin(t)]), labels.push(0);
  for (const t of linspace(0, 2 * Math.PI, nIn, false)) points.push([factor * Math.cos(t), factor * Math.sin(t)]), labels.push(1);
  return finish('circles', points, labels, 2, noise, new Random(seed));
}

/** `classes` spiral arms, each turning through 4 radians as the radius grows from 0 to 1. */
export function spirals(options: SyntheticOptions & { classes?: number } = {}): ArrayDataset {
  const { n = 1000, noise = 0.1, seed = 0, classes = 2 } = options;
  checkN('spirals', n);
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`spirals: classes must be an integer >= 2, got ${classes}`);
  const points: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    const count = Math.floor(n / classes) + (c < n % classes ? 1 : 0);
    const radii = linspace(0, 1, count);
    const angles = linspace(c * 4, (c + 1) * 4, count);
    radii.forEach((r, i) => {
      points.push([r * Math.sin(angles[i]), r * Math.cos(angles[i])]);
      labels.push(c);
    });
  }
  return finish('spirals', points, labels, classes, noise, new Random(seed));
}

/** Points uniform in [-1, 1]²; class 1 where x and y have different signs. */
export function xor(options: SyntheticOptions = {}): ArrayDataset {
  const { n = 1000, noise = 0, seed = 0 } = options;
  checkN('xor', n);
  const rng = new Random(seed);
  const points: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = [2 * rng.uniform() - 1, 2 * rng.uniform() - 1];
    points.push(p);
    labels.push(p[0] * p[1] < 0 ? 1 : 0);
  }
  return finish('xor', points, labels, 2, noise, rng);
}
