// Loss landscapes (Li et al., 2018) of two activations side by side, as surface and
// contour, and "show the shader": the WGSL generated from an activation's spec.
import Plotly from 'plotly.js-dist-min';
import { byId, chooseBackend, gs, injectStyle, markReady, plotConfig, showError } from '../shared/page';

const POINTS = 21;

function fillSelect(id: string, names: string[], chosen: string): void {
  const select = byId<HTMLSelectElement>(id);
  for (const name of names) select.append(new Option(name, name, name === chosen, name === chosen));
}

async function landscape(activation: string, steps: number, slot: string): Promise<void> {
  const data = gs.data.moons({ n: 256, noise: 0.2, seed: 7 });
  // The whole set as one batch: the landscape is the loss over all of it.
  const all = new gs.data.DataLoader(data, { batchSize: data.length })[Symbol.iterator]().next().value!;
  const model = gs.nn.mlp({ input: 2, hidden: [32, 32], output: 2, activation, seed: 11 });
  const optimizer = new gs.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  for (let i = 0; i < steps; i++) {
    gs.tidy(() => {
      optimizer.zeroGrad();
      const loss = gs.losses.crossEntropy(model.forward(all.x), all.y);
      loss.backward();
      optimizer.step();
    });
  }
  const modelLoss = await gs.noGrad(() => gs.losses.crossEntropy(model.forward(all.x), all.y)).item();
  const map = await gs.analysis.lossLandscape(model, all, (out, y) => gs.losses.crossEntropy(out, y), { range: 1, points: POINTS, seed: 3 });
  all.x.dispose();
  optimizer.dispose();
  model.dispose();
  const z: number[][] = [];
  for (let j = 0; j < POINTS; j++) z.push(Array.from(map.loss.subarray(j * POINTS, (j + 1) * POINTS)));
  const row = document.createElement('div');
  row.className = 'row';
  const surface = document.createElement('div');
  const contour = document.createElement('div');
  surface.className = contour.className = 'plot';
  surface.id = `surface-${slot}`;
  contour.id = `contour-${slot}`;
  row.dataset.activation = activation;
  row.dataset.modelLoss = String(modelLoss);
  row.dataset.centreLoss = String(z[(POINTS - 1) / 2][(POINTS - 1) / 2]);
  row.id = `landscape-${slot}`;
  row.append(surface, contour);
  byId('landscapes').append(row);
  const margin = { t: 50, r: 10, b: 40, l: 50 };
  await Plotly.newPlot(surface, [{ type: 'surface', x: map.alpha, y: map.beta, z, colorscale: 'Viridis', showscale: false }], {
    title: { text: `${activation}: loss surface (trained loss ${modelLoss.toFixed(4)})` },
    margin,
    scene: { xaxis: { title: { text: 'α' } }, yaxis: { title: { text: 'β' } }, zaxis: { title: { text: 'loss' } } },
  }, plotConfig);
  await Plotly.newPlot(contour, [{ type: 'contour', x: map.alpha, y: map.beta, z, colorscale: 'Viridis', contours: { coloring: 'heatmap' } }], {
    title: { text: `${activation}: contours` },
    margin,
    xaxis: { title: { text: 'α' } },
    yaxis: { title: { text: 'β' } },
  }, plotConfig);
}

async function run(): Promise<void> {
  const steps = Math.min(2000, Math.max(10, Math.round(Number(byId<HTMLInputElement>('steps').value)) || 150));
  const box = byId('landscapes');
  for (const old of Array.from(box.querySelectorAll<HTMLElement>('.plot'))) Plotly.purge(old);
  box.replaceChildren();
  const status = byId('status');
  const names = [byId<HTMLSelectElement>('act-a').value, byId<HTMLSelectElement>('act-b').value];
  for (const [i, name] of names.entries()) {
    status.textContent = `training ${name} and mapping its landscape…`;
    await landscape(name, steps, i === 0 ? 'a' : 'b');
  }
  status.textContent = 'done';
  box.dataset.drawn = names.join(',');
}

function showShaders(): void {
  const name = byId<HTMLSelectElement>('shader-act').value;
  const box = byId('shaders');
  box.replaceChildren();
  for (const listing of gs.debug.wgsl(name, { linear: { m: 128, k: 32, n: 32 } })) {
    const h = document.createElement('h3');
    h.textContent = `${listing.title} — pipeline '${listing.kernel}'`;
    const pre = document.createElement('pre');
    pre.className = 'wgsl';
    pre.textContent = listing.wgsl;
    box.append(h, pre);
  }
  box.dataset.activation = name;
}

async function main(): Promise<void> {
  injectStyle();
  await chooseBackend();
  const names = gs.activations.elementwiseNames();
  fillSelect('act-a', names, 'relu');
  fillSelect('act-b', names, 'tanh');
  fillSelect('shader-act', names, 'gelu');
  byId('run').addEventListener('click', () => void run().catch(showError));
  byId('shader-act').addEventListener('change', () => {
    try {
      showShaders();
    } catch (error) {
      showError(error);
    }
  });
  showShaders();
  await run();
  markReady();
}

main().catch(showError);
