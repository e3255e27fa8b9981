// Custom activation editor: a user's activation from one formula (gs.activations.fromExpression
// derives the rest), or from WGSL and its TypeScript twin for the CPU path; validated by
// gs.activations.register, checked on the device, plotted, and trained with.
import Plotly from 'plotly.js-dist-min';
import type { ActivationSpec } from '../../index';
import { byId, chooseBackend, gs, injectStyle, markReady, nextFrame, plotConfig, setOutput, showError } from '../shared/page';
import { accuracyOf, trainStep } from '../shared/train';
import { saveUserActivation, specFromSource, type UserActivationSource } from '../shared/user-activation';

// A starting example: swish with a trainable β, f = x·σ(βx).
const EXAMPLE = {
  wgslF: 'return x / (1.0 + exp(-p_beta(0u) * x));',
  wgslDf: 'let s = 1.0 / (1.0 + exp(-p_beta(0u) * x));\nreturn s + p_beta(0u) * x * s * (1.0 - s);',
  wgslDparam: 'let s = 1.0 / (1.0 + exp(-p_beta(0u) * x));\nreturn x * x * s * (1.0 - s);',
  cpuF: 'return x / (1 + Math.exp(-p.beta[0] * x));',
  cpuDf: 'const s = 1 / (1 + Math.exp(-p.beta[0] * x));\nreturn s + p.beta[0] * x * s * (1 - s);',
  cpuDparam: 'const s = 1 / (1 + Math.exp(-p.beta[0] * x));\nreturn x * x * s * (1 - s);',
};

let registered: string | null = null;

function text(id: string): string {
  return byId<HTMLTextAreaElement>(id).value;
}

/** The formula form: the name and parameter fields with the formula. */
function formulaSource(): UserActivationSource {
  return { ...source(), formula: byId<HTMLInputElement>('formula').value };
}

function source(): UserActivationSource {
  return {
    name: byId<HTMLInputElement>('name').value.trim(),
    paramName: byId<HTMLInputElement>('param-name').value.trim(),
    paramDefault: Number(byId<HTMLInputElement>('param-default').value),
    trainable: byId<HTMLInputElement>('param-trainable').checked,
    wgslF: text('wgsl-f'),
    wgslDf: text('wgsl-df'),
    wgslDparam: text('wgsl-dparam'),
    cpuF: text('cpu-f'),
    cpuDf: text('cpu-df'),
    cpuDparam: text('cpu-dparam'),
  };
}

/** Put a register() error under the field it names ('wgsl.df line 2:5: ...'). */
function showLineError(message: string): void {
  for (const id of ['err-f', 'err-df', 'err-dparam']) {
    byId(id).textContent = '';
    delete byId(id).dataset.line;
  }
  const at = /wgsl\.(f|df|dparams\.[A-Za-z0-9_]+) line (\d+)/.exec(message);
  if (!at) return;
  const id = at[1] === 'f' ? 'err-f' : at[1] === 'df' ? 'err-df' : 'err-dparam';
  const box = byId(id);
  box.textContent = `✗ line ${at[2]}: ${message}`;
  box.style.color = '#c00';
  box.dataset.line = at[2];
  box.dataset.field = at[1];
}

/** Put a formula error under the formula, with the column it names ('… at column 7'). */
function showFormulaError(message: string): void {
  const box = byId('err-formula');
  box.textContent = message ? `✗ ${message}` : '';
  box.style.color = '#c00';
  const at = /at column (\d+)/.exec(message);
  if (at) box.dataset.column = at[1];
  else delete box.dataset.column;
}

/** Register the activation the form describes (a formula, or the two languages). */
async function compile(src: UserActivationSource): Promise<void> {
  setOutput('status', 'compiling…', 'compiling');
  showLineError('');
  showFormulaError('');
  let spec: ActivationSpec;
  try {
    spec = specFromSource(src);
    // Editing the same activation again replaces it only once the new version has passed
    // every check: a rejected edit leaves the last accepted version registered.
    await gs.activations.register(spec, { replace: registered === spec.name });
  } catch (error) {
    const message = (error as Error).message;
    if (src.formula !== undefined) showFormulaError(message);
    else showLineError(message);
    // Rejected input is an expected outcome here: shown on the page, not thrown.
    const kept = registered ? `; '${registered}' keeps its last accepted version` : '';
    setOutput('status', `rejected: ${message}${kept}`, 'rejected');
    return;
  }
  registered = spec.name;
  // The other pages register it too (explorer, surfaces, playground).
  saveUserActivation(src);
  setOutput('derived', derivedText(spec), src.formula === undefined ? 'hand-written' : 'formula');
  await checkAndPlot(spec.name);
  setOutput('status', `registered '${spec.name}'`, 'registered');
}

/** f' and ∂f/∂param as fromExpression derived them, or a note that they were written by hand. */
function derivedText(spec: ActivationSpec): string {
  const expression = (spec as Partial<gs.activations.ExpressionActivationSpec>).expression;
  if (!expression) return 'written by hand (WGSL and TypeScript)';
  const dparams = Object.entries(expression.dparams).map(([name, d]) => `; ∂f/∂${name} = ${d}`).join('');
  return `f′ = ${expression.df}${dparams}`;
}

/**
 * The activation's f and f' as the backend runs them (the WGSL on WebGPU), and the
 * worst gap between that f' and central differences of that f (float32: h = 1e-2).
 */
async function checkAndPlot(name: string): Promise<void> {
  const n = 161;
  const h = 1e-2;
  const xs = Float32Array.from({ length: n }, (_, i) => -4 + (8 * i) / (n - 1));
  const shifted = (d: number) => gs.tensor(xs.map((v) => v + d));
  const act = gs.activation(name);
  const x = gs.tensor(xs, { requiresGrad: true });
  const y = act.forward(x);
  const total = y.sum();
  total.backward();
  const [plus, minus] = gs.noGrad(() => [act.forward(shifted(h)), act.forward(shifted(-h))]);
  const [f, df, fp, fm] = await Promise.all([y.toArray(), x.grad!.toArray(), plus.toArray(), minus.toArray()]);
  gs.dispose(x.grad, x, y, total, plus, minus, act);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const numeric = (fp[i] - fm[i]) / (2 * h);
    worst = Math.max(worst, Math.abs(df[i] - numeric) / Math.max(1, Math.abs(numeric)));
  }
  setOutput('gradcheck', `${worst.toExponential(2)} ${worst < 1e-2 ? '✓' : '✗ (f′ does not match f)'}`, worst);
  await Plotly.react(
    byId('plot-curves'),
    [
      { x: Array.from(xs), y: Array.from(f), name: 'f', mode: 'lines' },
      { x: Array.from(xs), y: Array.from(df), name: "f′ (backward)", mode: 'lines' },
    ],
    { title: { text: `${name} on ${gs.getBackend().name ?? 'backend'}` }, margin: { t: 50, r: 10, b: 40, l: 50 } },
    plotConfig,
  );
}

async function train(): Promise<void> {
  if (!registered) throw new Error('compile and register an activation first');
  setOutput('status', 'training…', 'training');
  const data = gs.data.moons({ n: 400, noise: 0.1, seed: 3 });
  const model = gs.nn.mlp({ input: 2, hidden: [16, 16], output: 2, activation: () => gs.activation(registered!), seed: 3 });
  const optimizer = new gs.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const x = gs.tensor(data.x, { shape: [data.length, 2] });
  const losses: number[] = [];
  const steps: number[] = [];
  let accuracy = 0;
  try {
    for (let step = 1; step <= 300; step++) {
      const loss = trainStep(model, optimizer, x, data.labels);
      if (step % 20 === 0) {
        losses.push(await loss.item());
        steps.push(step);
        await Plotly.react(byId('plot-train'), [{ x: [...steps], y: [...losses], mode: 'lines', name: 'loss' }], {
          title: { text: `training loss with ${registered}` },
          yaxis: { type: 'log' },
          margin: { t: 50, r: 10, b: 40, l: 50 },
        }, plotConfig);
        await nextFrame();
      }
      loss.dispose();
    }
    const logits = gs.noGrad(() => model.forward(x));
    accuracy = accuracyOf(await logits.toArray(), data.labels, 2);
    logits.dispose();
  } finally {
    gs.dispose(x, model, optimizer);
  }
  setOutput('train-result', `accuracy on moons after 300 steps: ${(100 * accuracy).toFixed(1)}%`, accuracy);
  setOutput('status', 'trained', 'trained');
}

async function main(): Promise<void> {
  injectStyle();
  await chooseBackend();
  const fields: Record<string, string> = {
    'wgsl-f': EXAMPLE.wgslF,
    'wgsl-df': EXAMPLE.wgslDf,
    'wgsl-dparam': EXAMPLE.wgslDparam,
    'cpu-f': EXAMPLE.cpuF,
    'cpu-df': EXAMPLE.cpuDf,
    'cpu-dparam': EXAMPLE.cpuDparam,
  };
  for (const [id, value] of Object.entries(fields)) byId<HTMLTextAreaElement>(id).value = value;
  byId('compile').addEventListener('click', () => void compile(source()).catch(showError));
  byId('compile-formula').addEventListener('click', () => void compile(formulaSource()).catch(showError));
  byId('train').addEventListener('click', () => void train().catch(showError));
  markReady();
}

main().catch(showError);
