// Gradient-flow surfaces: f(x) + f(y) as a 3-D surface and |∇| as a heat map, side by
// side, for each chosen activation (gs.analysis.activationSurface on the page's backend).
import Plotly from 'plotly.js-dist-min';
import { byId, chooseBackend, gs, injectStyle, markReady, plotConfig, showError } from '../shared/page';
import { restoreUserActivation } from '../shared/user-activation';

/**
 * Softmax (an output activation) over the grid of points, as tutorial 000 plots it: its
 * surface is s(x) + s(y), and its |∇| map is drawn from the diagonal of its Jacobian,
 * sᵢ(1 − sᵢ) (backward() of Σ softmax is 0 everywhere: the outputs always sum to 1).
 */
async function softmaxSurface(range: number, points: number) {
  const xs = Float32Array.from({ length: points }, (_, i) => -range + (2 * range * i) / (points - 1));
  const x = gs.tensor(xs);
  const s = gs.activation('softmax').forward(x);
  const rest = s.neg().add(1);
  const diagonal = s.mul(rest);
  const sRow = s.reshape([1, points]);
  const sColumn = s.reshape([points, 1]);
  const z = sRow.add(sColumn);
  const squared = diagonal.square();
  const dRow = squared.reshape([1, points]);
  const dColumn = squared.reshape([points, 1]);
  const sumSq = dRow.add(dColumn);
  const magnitude = sumSq.sqrt();
  const surface = { x: Array.from(xs), y: Array.from(xs), z: await z.toArray(), gradMagnitude: await magnitude.toArray() };
  gs.dispose(x, s, rest, diagonal, sRow, sColumn, z, squared, dRow, dColumn, sumSq, magnitude);
  return surface;
}

function chosen(): string[] {
  return Array.from(document.querySelectorAll<HTMLInputElement>('#choices input:checked')).map((c) => c.dataset.activation!);
}

async function draw(): Promise<void> {
  const range = Math.abs(Number(byId<HTMLInputElement>('range').value)) || 4;
  const points = Math.min(121, Math.max(5, Math.round(Number(byId<HTMLInputElement>('points').value)) || 41));
  const rows = byId('rows');
  for (const old of Array.from(rows.querySelectorAll<HTMLElement>('.plot'))) Plotly.purge(old);
  rows.replaceChildren();
  for (const name of chosen()) {
    const output = gs.activations.get(name).kind === 'output';
    const surface = output ? await softmaxSurface(range, points) : await gs.analysis.activationSurface(name, { xRange: [-range, range], points });
    const z: number[][] = [];
    const g: number[][] = [];
    for (let j = 0; j < points; j++) {
      z.push(Array.from(surface.z.subarray(j * points, (j + 1) * points)));
      g.push(Array.from(surface.gradMagnitude.subarray(j * points, (j + 1) * points)));
    }
    const row = document.createElement('div');
    row.className = 'row';
    row.dataset.activation = name;
    const left = document.createElement('div');
    const right = document.createElement('div');
    left.className = right.className = 'plot';
    left.id = `surface-${name}`;
    right.id = `gradient-${name}`;
    row.append(left, right);
    rows.append(row);
    const margin = { t: 50, r: 10, b: 40, l: 50 };
    await Plotly.newPlot(
      left,
      [{ type: 'surface', x: surface.x, y: surface.y, z, colorscale: 'Viridis', showscale: false }],
      { title: { text: `${name}: f(x) + f(y)` }, margin, scene: { xaxis: { title: { text: 'x' } }, yaxis: { title: { text: 'y' } }, zaxis: { title: { text: 'z' } } } },
      plotConfig,
    );
    await Plotly.newPlot(
      right,
      [{ type: 'heatmap', x: surface.x, y: surface.y, z: g, colorscale: 'Inferno', colorbar: { title: { text: '|∇|' } } }],
      { title: { text: `${name}: |∇(f(x) + f(y))|` }, margin, xaxis: { title: { text: 'x' } }, yaxis: { title: { text: 'y' } } },
      plotConfig,
    );
  }
  const outputs = chosen().filter((name) => gs.activations.get(name).kind === 'output');
  const note = byId('softmax-note');
  note.hidden = outputs.length === 0;
  note.textContent = `${outputs.join(', ')}: taken over the whole grid of points, and its |∇| map is drawn from the diagonal of its Jacobian, ` +
    '∂sᵢ/∂xᵢ = sᵢ(1 − sᵢ), as tutorial 000 draws it (backward() of Σ softmax is 0: the outputs always sum to 1).';
  byId('rows').dataset.drawn = chosen().join(',');
}

async function main(): Promise<void> {
  injectStyle();
  await chooseBackend();
  // A user activation saved by the editor page appears here too.
  await restoreUserActivation();
  const box = byId('choices');
  box.append('Activations:');
  const names = gs.activations.names();
  names.forEach((name, i) => {
    const label = document.createElement('label');
    const check = document.createElement('input');
    check.type = 'checkbox';
    check.dataset.activation = name;
    check.checked = i < 2;
    label.append(check, name);
    box.append(label);
  });
  byId('draw').addEventListener('click', () => void draw().catch(showError));
  await draw();
  markReady();
}

main().catch(showError);
