// SwiGELU = ½·(x·σ(x) + GELU(x)): a user activation added through the public API and
// trained in a small MLP on a two-moons set built here. Run it with
//   node examples/swigelu-run.mjs [cpu|webgpu]
// (the wrapper bundles this file with esbuild), or import runSwigeluExample().
import * as gs from '../index';

const gelu = gs.activations.get('gelu');

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** The spec: the CPU and WGSL forms reuse GELU's (erf-based) functions from its spec. */
export const swigelu: gs.ActivationSpec = {
  name: 'swigelu',
  aliases: ['SwiGELU'],
  formula: '½·(x·σ(x) + GELU(x))',
  reference: 'the average of SiLU and GELU (a gradscope example)',
  range: [-5, 5],
  cpu: {
    f: (x, p, ch) => 0.5 * (x * sigmoid(x) + gelu.cpu.f(x, p, ch)),
    df: (x, y, p, ch) => {
      const s = sigmoid(x);
      return 0.5 * (s * (1 + x * (1 - s)) + gelu.cpu.df(x, gelu.cpu.f(x, p, ch), p, ch));
    },
  },
  wgsl: {
    // GELU's helpers bring gs_normal_cdf and gs_normal_pdf (its float32-accurate erf).
    helpers: `${gelu.wgsl.helpers ?? ''}
fn swigelu_sigmoid(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}`,
    f: 'return 0.5 * (x * swigelu_sigmoid(x) + x * gs_normal_cdf(x));',
    df: `let s = swigelu_sigmoid(x);
return 0.5 * (s * (1.0 + x * (1.0 - s)) + gs_normal_cdf(x) + x * gs_normal_pdf(x));`,
  },
};

/** Two interleaved half circles with noise, seeded (scikit-learn's make_moons). */
export function moons(n: number, noise: number, seed: number): { x: number[][]; labels: number[] } {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const x: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const t = Math.PI * uniform();
    const px = label === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const py = label === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    x.push([px + noise * normal(), py + noise * normal()]);
    labels.push(label);
  }
  return { x, labels };
}

export interface SwigeluRun {
  losses: number[];
  accuracy: number;
}

/** Register SwiGELU (once), train a 2-16-16-2 MLP with it, return the losses and accuracy. */
export async function runSwigeluExample(
  options: { steps?: number; log?: (line: string) => void; seed?: number; backend?: 'cpu' | 'webgpu' } = {},
): Promise<SwigeluRun> {
  const { steps = 150, log = () => {}, seed = 1 } = options;
  if (options.backend) log(`backend: ${await gs.setBackend(options.backend)}`);
  if (!gs.activations.names().includes('swigelu')) await gs.activations.register(swigelu);
  const data = moons(256, 0.1, seed);
  const x = gs.tensor(data.x);
  const model = new gs.nn.Sequential(
    new gs.nn.Linear(2, 16, { seed }),
    gs.activation('swigelu'),
    new gs.nn.Linear(16, 16, { seed: seed + 1 }),
    gs.activation('SwiGELU'),
    new gs.nn.Linear(16, 2, { seed: seed + 2 }),
  );
  const optimizer = new gs.optim.Adam(model.parameters(), { lr: 0.03 });
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = gs.tidy(() => {
      optimizer.zeroGrad();
      const l = gs.losses.crossEntropy(model.forward(x), data.labels);
      l.backward();
      optimizer.step();
      return l;
    });
    losses.push(await loss.item());
    loss.dispose();
    if (step % 25 === 0 || step === steps - 1) log(`step ${String(step).padStart(4)}  loss ${losses[step].toFixed(4)}`);
  }
  const predicted = gs.tidy(() => gs.noGrad(() => model.forward(x).argmax(-1)));
  const p = await predicted.toArray();
  predicted.dispose();
  const accuracy = data.labels.filter((label, i) => p[i] === label).length / data.labels.length;
  log(`accuracy ${(accuracy * 100).toFixed(1)}%`);
  return { losses, accuracy };
}
