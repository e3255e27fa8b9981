// Activation explorer: f and f' of every registered activation (built-in and user ones),
// computed by the engine on the page's backend; sliders for the parameters; overlays.
import Plotly from 'plotly.js-dist-min';
import type { ActivationSpec } from '../../index';
import { byId, chooseBackend, gs, injectStyle, markReady, plotConfig, setOutput, showError } from '../shared/page';
import { restoreUserActivation } from '../shared/user-activation';
import { cpuBackend } from '../../engine/backend-registry';

const POINTS = 401;
/** Current slider values per activation and parameter (scalar parameters only get sliders). */
const paramValues = new Map<string, Record<string, number>>();
const overlaid = new Set<string>();

function scalarParams(spec: ActivationSpec) {
  return (spec.params ?? []).filter((p) => typeof p.default === 'number' || p.default.length === 1);
}

function valuesFor(spec: ActivationSpec): Record<string, number> {
  if (!paramValues.has(spec.name)) {
    const v: Record<string, number> = {};
    for (const p of scalarParams(spec)) v[p.name] = typeof p.default === 'number' ? p.default : p.default[0];
    paramValues.set(spec.name, v);
  }
  return paramValues.get(spec.name)!;
}

/**
 * f and f' on a grid, by the engine: forward through the activation, backward of sum(f).
 * Softmax (an output activation) is taken over the whole grid, as tutorial 000 plots it,
 * and its f' curve is the diagonal of its Jacobian, sᵢ(1 − sᵢ): backward() of Σ softmax is
 * 0 everywhere, since the outputs always sum to 1.
 */
async function curves(spec: ActivationSpec, xs: Float32Array): Promise<{ f: Float32Array; df: Float32Array }> {
  if (spec.kind === 'output') {
    const x = gs.tensor(xs);
    const s = gs.activation(spec.name).forward(x);
    const rest = s.neg().add(1);
    const diagonal = s.mul(rest);
    const [f, df] = [await s.toArray(), await diagonal.toArray()];
    gs.dispose(x, s, rest, diagonal);
    return { f, df };
  }
  const x = gs.tensor(xs, { requiresGrad: true });
  // Evaluation mode: randomized activations (RReLU) then use their fixed, deterministic slope.
  const act = gs.activation(spec.name, valuesFor(spec)).eval();
  const y = act.forward(x);
  const total = y.sum();
  total.backward();
  const f = await y.toArray();
  const df = await x.grad!.toArray();
  gs.dispose(x.grad, x, y, total, act);
  return { f, df };
}

function grid(): Float32Array {
  let lo = Number(byId<HTMLInputElement>('xmin').value);
  let hi = Number(byId<HTMLInputElement>('xmax').value);
  if (!(hi > lo)) [lo, hi] = [-4, 4];
  return Float32Array.from({ length: POINTS }, (_, i) => lo + ((hi - lo) * i) / (POINTS - 1));
}

function renderParamSliders(spec: ActivationSpec): void {
  const box = byId('params');
  box.replaceChildren();
  const values = valuesFor(spec);
  for (const p of scalarParams(spec)) {
    const label = document.createElement('label');
    const input = document.createElement('input');
    input.type = 'range';
    input.id = `param-${p.name}`;
    const base = values[p.name];
    const span = Math.max(1, Math.abs(base) * 4);
    input.min = String(Math.min(0, base - span));
    input.max = String(base + span);
    input.step = String(span / 100);
    input.value = String(base);
    const shown = document.createElement('output');
    shown.textContent = base.toFixed(3);
    input.addEventListener('input', () => {
      values[p.name] = Number(input.value);
      shown.textContent = Number(input.value).toFixed(3);
      void redraw();
    });
    label.append(`${p.name}${p.trainable ? ' (trainable)' : ''}`, input, shown);
    box.append(label);
  }
  if (!scalarParams(spec).length) box.textContent = 'No scalar parameters.';
}

function renderOverlayChoices(): void {
  const box = byId('overlay');
  box.replaceChildren('Overlay:');
  for (const name of gs.activations.names()) {
    const label = document.createElement('label');
    const check = document.createElement('input');
    check.type = 'checkbox';
    check.dataset.activation = name;
    check.checked = overlaid.has(name);
    check.addEventListener('change', () => {
      if (check.checked) overlaid.add(name);
      else overlaid.delete(name);
      void redraw();
    });
    label.append(check, name);
    box.append(label);
  }
}

let drawing = Promise.resolve();
function redraw(): Promise<void> {
  drawing = drawing.then(draw).catch(showError);
  return drawing;
}

async function draw(): Promise<void> {
  const focus = gs.activations.get(byId<HTMLSelectElement>('focus').value);
  byId('formula').textContent = `${focus.name}(x) = ${focus.formula}${focus.convention ? `   ·   ${focus.convention}` : ''}`;
  const xs = grid();
  const shown = [focus.name, ...[...overlaid].filter((n) => n !== focus.name)];
  const fTraces: object[] = [];
  const dfTraces: object[] = [];
  let worst = 0;
  const disagreement: Record<string, number> = {};
  for (const name of shown) {
    const spec = gs.activations.get(name);
    const { f, df } = await curves(spec, xs);
    // The same curves on the CPU reference: the two backends must agree.
    const ref = gs.getBackend() === cpuBackend() ? { f, df } : await gs.withBackend(cpuBackend(), () => curves(spec, xs));
    let worstHere = 0;
    for (let i = 0; i < xs.length; i++) {
      worstHere = Math.max(worstHere, Math.abs(f[i] - ref.f[i]), Math.abs(df[i] - ref.df[i]));
    }
    disagreement[name] = worstHere;
    worst = Math.max(worst, worstHere);
    const width = name === focus.name ? 3 : 1.5;
    fTraces.push({ x: Array.from(xs), y: Array.from(f), name, mode: 'lines', line: { width } });
    dfTraces.push({ x: Array.from(xs), y: Array.from(df), name: `${name}′`, mode: 'lines', line: { width } });
  }
  const layout = (title: string) => ({ title: { text: title }, margin: { t: 40, r: 10, b: 40, l: 50 }, xaxis: { title: { text: 'x' } } });
  await Plotly.react(byId('plot-f'), fTraces, layout('f(x)'), plotConfig);
  await Plotly.react(byId('plot-df'), dfTraces, layout("f′(x) by backward()"), plotConfig);
  const outputs = shown.filter((name) => gs.activations.get(name).kind === 'output');
  const note = byId('df-note');
  note.hidden = outputs.length === 0;
  note.textContent = `${outputs.join(', ')}: f is taken over the whole grid of x, and its f′ curve is the diagonal of its Jacobian, ` +
    '∂sᵢ/∂xᵢ = sᵢ(1 − sᵢ), as tutorial 000 draws it (backward() of Σ softmax is 0: the outputs always sum to 1).';
  const onCpu = gs.getBackend() === cpuBackend();
  setOutput('agreement', onCpu ? 'not applicable: this page runs on the CPU' : worst.toExponential(2), worst);
  byId('plot-f').dataset.traces = String(fTraces.length);
  byId('agreement').dataset.perActivation = JSON.stringify(disagreement);
}

async function main(): Promise<void> {
  injectStyle();
  await chooseBackend();
  // A user activation saved by the editor page appears here too.
  await restoreUserActivation();
  const select = byId<HTMLSelectElement>('focus');
  for (const name of gs.activations.names()) select.add(new Option(name, name));
  const wanted = new URLSearchParams(location.search).get('activation');
  if (wanted && gs.activations.names().includes(wanted)) select.value = wanted;
  select.addEventListener('change', () => {
    renderParamSliders(gs.activations.get(select.value));
    void redraw();
  });
  for (const id of ['xmin', 'xmax']) byId(id).addEventListener('change', () => void redraw());
  renderParamSliders(gs.activations.get(select.value));
  renderOverlayChoices();
  await redraw();
  markReady();
}

main().catch(showError);
