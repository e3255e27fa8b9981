// Playground: an MLP trained live on a 2-D data set, everything on the page's backend.
import Plotly from 'plotly.js-dist-min';
import type { Tensor } from '../../index';
import { byId, chooseBackend, gs, injectStyle, markReady, nextFrame, plotConfig, setOutput, showError } from '../shared/page';
import { restoreUserActivation } from '../shared/user-activation';
import { accuracyOf, deadUnits, trainStep, weightGradNorms } from '../shared/train';

const GRID = 60;
/** Steps between two redraws: plots cost more than a step on a small net. */
const STEPS_PER_FRAME = 10;
const CLASS_COLORS = ['#2b6cb0', '#d1495b', '#2f9e44', '#f08c00', '#7048e8'];
/** A stepped colour scale giving class k the colour of its points. */
function classColorscale(classes: number): [number, string][] {
  const scale: [number, string][] = [];
  for (let k = 0; k < classes; k++) {
    const color = CLASS_COLORS[k % CLASS_COLORS.length];
    scale.push([k / classes, color], [(k + 1) / classes, color]);
  }
  return scale;
}
const DATASETS = { moons: gs.data.moons, circles: gs.data.circles, spirals: gs.data.spirals, xor: gs.data.xor } as const;

let running = false;
let stopRequested = false;

function numberInput(id: string): number {
  const v = Number(byId<HTMLInputElement>(id).value);
  if (!Number.isFinite(v)) throw new Error(`${id}: '${byId<HTMLInputElement>(id).value}' is not a number`);
  return v;
}

function makeData() {
  const name = byId<HTMLSelectElement>('dataset').value as keyof typeof DATASETS;
  const seed = numberInput('seed');
  const noise = name === 'xor' ? 0 : name === 'spirals' ? 0.05 : 0.1;
  return DATASETS[name]({ n: 500, noise, seed });
}

/** Points of a GRID×GRID lattice covering the data with a margin. */
function lattice(x: Float32Array) {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < x.length; i += 2) {
    x0 = Math.min(x0, x[i]);
    x1 = Math.max(x1, x[i]);
    y0 = Math.min(y0, x[i + 1]);
    y1 = Math.max(y1, x[i + 1]);
  }
  const pad = 0.3;
  const xs = Array.from({ length: GRID }, (_, i) => x0 - pad + ((x1 - x0 + 2 * pad) * i) / (GRID - 1));
  const ys = Array.from({ length: GRID }, (_, i) => y0 - pad + ((y1 - y0 + 2 * pad) * i) / (GRID - 1));
  const points = new Float32Array(GRID * GRID * 2);
  ys.forEach((y, r) => xs.forEach((xv, c) => points.set([xv, y], 2 * (r * GRID + c))));
  return { xs, ys, points };
}

async function train(): Promise<void> {
  if (running) return;
  running = true;
  stopRequested = false;
  setOutput('state', 'training', 'training');
  const data = makeData();
  const classes = data.classes;
  const model = gs.nn.mlp({
    input: 2,
    hidden: Array(Math.max(1, Math.round(numberInput('depth')))).fill(Math.max(1, Math.round(numberInput('width')))),
    output: classes,
    activation: byId<HTMLSelectElement>('activation').value,
    init: byId<HTMLSelectElement>('init').value,
    seed: numberInput('seed'),
  });
  const optimizer = new gs.optim.SGD(model.parameters(), { lr: numberInput('lr'), momentum: numberInput('momentum') });
  const x = gs.tensor(data.x, { shape: [data.length, 2] });
  const grid = lattice(data.x);
  const gridX = gs.tensor(grid.points, { shape: [GRID * GRID, 2] });
  const totalSteps = Math.max(1, Math.round(numberInput('steps')));
  const losses: number[] = [];
  const lossSteps: number[] = [];
  const gradHistory = new Map<string, number[]>();
  const gradSteps: number[] = [];
  try {
    for (let step = 1; step <= totalSteps && !stopRequested; step++) {
      const loss = trainStep(model, optimizer, x, data.labels);
      if (step % STEPS_PER_FRAME !== 0 && step !== totalSteps) {
        loss.dispose();
        continue;
      }
      losses.push(await loss.item());
      lossSteps.push(step);
      loss.dispose();
      for (const { name, norm } of await weightGradNorms(model)) {
        if (!gradHistory.has(name)) gradHistory.set(name, []);
        gradHistory.get(name)!.push(norm);
      }
      gradSteps.push(step);
      await redraw(model, x, gridX, grid, data, losses, lossSteps, gradHistory, gradSteps);
      setOutput('step', String(step), step);
      await nextFrame();
    }
    setOutput('state', stopRequested ? 'stopped' : 'done', stopRequested ? 'stopped' : 'done');
  } finally {
    gs.dispose(x, gridX, model, optimizer);
    running = false;
  }
}

async function redraw(
  model: ReturnType<typeof gs.nn.mlp>,
  x: Tensor,
  gridX: Tensor,
  grid: ReturnType<typeof lattice>,
  data: ReturnType<typeof makeData>,
  losses: number[],
  lossSteps: number[],
  gradHistory: Map<string, number[]>,
  gradSteps: number[],
): Promise<void> {
  const classes = data.classes;
  const [logits, gridLogits] = gs.noGrad(() => [model.forward(x), model.forward(gridX)]);
  const [logitValues, gridValues] = await Promise.all([logits.toArray(), gridLogits.toArray()]);
  gs.dispose(logits, gridLogits);
  const accuracy = accuracyOf(logitValues, data.labels, classes);
  setOutput('loss', losses[losses.length - 1].toFixed(4), losses[losses.length - 1]);
  setOutput('accuracy', `${(100 * accuracy).toFixed(1)}%`, accuracy);

  // Decision boundary: the predicted class over the lattice (its confidence as shading).
  const z: number[][] = [];
  for (let r = 0; r < GRID; r++) {
    const row: number[] = [];
    for (let c = 0; c < GRID; c++) {
      const o = (r * GRID + c) * classes;
      let best = 0;
      for (let k = 1; k < classes; k++) if (gridValues[o + k] > gridValues[o + best]) best = k;
      row.push(best);
    }
    z.push(row);
  }
  const scatter = Array.from({ length: classes }, (_, k) => {
    const px: number[] = [];
    const py: number[] = [];
    for (let i = 0; i < data.length; i++) if (data.labels[i] === k) px.push(data.x[2 * i]), py.push(data.x[2 * i + 1]);
    return { x: px, y: py, mode: 'markers', type: 'scatter', name: `class ${k}`, marker: { size: 5, color: CLASS_COLORS[k % CLASS_COLORS.length], line: { width: 0.5, color: '#222' } } };
  });
  const margin = { t: 50, r: 10, b: 40, l: 55 };
  await Plotly.react(
    byId('plot-boundary'),
    [{ type: 'heatmap', x: grid.xs, y: grid.ys, z, colorscale: classColorscale(classes), opacity: 0.35, showscale: false, zmin: 0, zmax: classes - 1 }, ...scatter],
    { title: { text: 'Decision boundary' }, margin, showlegend: false },
    plotConfig,
  );
  await Plotly.react(
    byId('plot-loss'),
    [{ x: [...lossSteps], y: [...losses], mode: 'lines', name: 'loss' }],
    { title: { text: 'Training loss' }, margin, xaxis: { title: { text: 'step' } }, yaxis: { type: 'log' } },
    plotConfig,
  );
  await Plotly.react(
    byId('plot-grads'),
    [...gradHistory].map(([name, norms]) => ({ x: [...gradSteps], y: [...norms], mode: 'lines', name })),
    { title: { text: '‖∂L/∂W‖ per layer' }, margin, xaxis: { title: { text: 'step' } }, yaxis: { type: 'log' } },
    plotConfig,
  );
  const dead = await deadUnits(model, x);
  await Plotly.react(
    byId('plot-dead'),
    [
      { type: 'bar', x: dead.map((d) => d.layer), y: dead.map((d) => d.dead), name: 'dead' },
      { type: 'bar', x: dead.map((d) => d.layer), y: dead.map((d) => d.units - d.dead), name: 'alive' },
    ],
    { title: { text: 'Dead hidden units: output exactly 0 on all the data' }, margin, barmode: 'stack' },
    plotConfig,
  );
}

async function main(): Promise<void> {
  injectStyle();
  await chooseBackend();
  // A user activation saved by the editor page appears here too.
  await restoreUserActivation();
  const act = byId<HTMLSelectElement>('activation');
  for (const name of gs.activations.names()) act.add(new Option(name, name));
  act.value = gs.activations.names().includes('tanh') ? 'tanh' : gs.activations.names()[0];
  const init = byId<HTMLSelectElement>('init');
  for (const name of gs.init.initializerNames()) init.add(new Option(name, name));
  init.value = 'pytorch_default';
  byId('train').addEventListener('click', () => void train().catch(showError));
  byId('stop').addEventListener('click', () => (stopRequested = true));
  markReady();
}

main().catch(showError);
