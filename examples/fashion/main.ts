// FashionMNIST: the seed network trained in the browser on the page's backend, with live
// curves, per-layer gradient histograms, dead neurons and predictions on test images.
import Plotly from 'plotly.js-dist-min';
import { byId, chooseBackend, gs, injectStyle, markReady, nextFrame, plotConfig, setOutput, showError } from '../shared/page';
import { accuracyOf, trainStep } from '../shared/train';

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const HIDDEN = [256, 192, 128, 64];
const SAMPLE_IMAGES = 12;

type TrainTest = ReturnType<typeof gs.data.imageSetFromBytes>;
let bytes: Uint8Array | null = null;
let stopRequested = false;
let running = false;

function num(id: string): number {
  const v = Number(byId<HTMLInputElement>(id).value);
  if (!Number.isFinite(v)) throw new Error(`${id}: '${byId<HTMLInputElement>(id).value}' is not a number`);
  return v;
}

async function loadBytes(): Promise<Uint8Array> {
  if (bytes) return bytes;
  const response = await fetch('/data/fashion-mnist.gsim');
  if (!response.ok) throw new Error(`fetching /data/fashion-mnist.gsim: HTTP ${response.status} ${await response.text()}`);
  bytes = new Uint8Array(await response.arrayBuffer());
  return bytes;
}

/** The whole test subset as one tensor (normalised like training batches). */
function testTensor(data: TrainTest) {
  const n = data.test.length;
  const x = new Float32Array(n * data.test.features);
  data.test.gather(Int32Array.from({ length: n }, (_, i) => i), x);
  return { x: gs.tensor(x, { shape: [n, data.test.features] }), labels: data.test.labels, raw: x };
}

async function train(): Promise<void> {
  if (running) return;
  running = true;
  stopRequested = false;
  setOutput('state', 'loading data', 'loading');
  const data = gs.data.imageSetFromBytes('fashion-mnist', await loadBytes(), {
    trainSize: Math.round(num('train-size')),
    testSize: Math.round(num('test-size')),
    seed: 0,
  });
  setOutput('data', `data: ${data.train.length} training and ${data.test.length} test images`);
  const activation = byId<HTMLSelectElement>('activation').value;
  const model = gs.nn.mlp({ input: 784, hidden: HIDDEN, output: 10, activation, seed: 42 });
  const optimizer =
    byId<HTMLSelectElement>('optimizer').value === 'adam'
      ? new gs.optim.Adam(model.parameters(), { lr: num('lr') })
      : new gs.optim.SGD(model.parameters(), { lr: num('lr'), momentum: num('momentum') });
  const loader = new gs.data.DataLoader(data.train, { batchSize: Math.round(num('batch')), shuffle: true, seed: 42 });
  const test = testTensor(data);
  const lossSteps: number[] = [];
  const losses: number[] = [];
  const accSteps: number[] = [];
  const accuracies: number[] = [];
  let step = 0;
  setOutput('state', 'training', 'training');
  try {
    const epochs = Math.round(num('epochs'));
    for (let epoch = 0; epoch < epochs && !stopRequested; epoch++) {
      for (const batch of loader) {
        step++;
        const loss = trainStep(model, optimizer, batch.x, batch.y);
        batch.x.dispose();
        losses.push(await loss.item());
        lossSteps.push(step);
        loss.dispose();
        setOutput('step', String(step), step);
        setOutput('loss', losses[losses.length - 1].toFixed(4), losses[losses.length - 1]);
        if (step % Math.max(1, Math.round(num('measure-every'))) === 0) {
          accuracies.push(await measure(model, test, data));
          accSteps.push(step);
          await drawCurves(lossSteps, losses, accSteps, accuracies);
        }
        await nextFrame();
        if (stopRequested) break;
      }
    }
    accuracies.push(await measure(model, test, data));
    accSteps.push(step);
    await drawCurves(lossSteps, losses, accSteps, accuracies);
    setOutput('state', stopRequested ? 'stopped' : 'done', stopRequested ? 'stopped' : 'done');
  } finally {
    gs.dispose(test.x, model, optimizer);
    running = false;
  }
}

/** Test accuracy, then gradient histograms and dead units on a test batch, and the sample predictions. */
async function measure(model: ReturnType<typeof gs.nn.mlp>, test: ReturnType<typeof testTensor>, data: TrainTest): Promise<number> {
  const logits = gs.noGrad(() => model.forward(test.x));
  const values = await logits.toArray();
  logits.dispose();
  const accuracy = accuracyOf(values, test.labels, 10);
  setOutput('accuracy', `${(100 * accuracy).toFixed(1)}%`, accuracy);

  const probe = { x: test.x, y: test.labels };
  const stats = await gs.analysis.gradientStats(model, probe, (out, y) => gs.losses.crossEntropy(out, y as Int32Array), { bins: 30, scale: 'log' });
  const margin = { t: 50, r: 10, b: 45, l: 50 };
  await Plotly.react(
    byId('plot-grads'),
    stats.layers.map((layer) => {
      const h = layer.weight.histogram;
      return { type: 'scatter', mode: 'lines', line: { shape: 'hvh' }, name: layer.name, x: h.edges.slice(0, -1).map((e, i) => Math.sqrt(Math.max(e, 1e-30) * h.edges[i + 1])), y: h.counts };
    }),
    { title: { text: 'Weight-gradient histograms (|∂L/∂W|, log bins)' }, margin, xaxis: { type: 'log', title: { text: '|gradient|' } }, yaxis: { title: { text: 'count' } } },
    plotConfig,
  );
  const dead = await gs.analysis.deadNeurons(model, [probe]);
  await Plotly.react(
    byId('plot-dead'),
    [{ type: 'bar', x: dead.layers.map((l) => `${l.name} (${l.activation})`), y: dead.layers.map((l) => 100 * l.ratio), text: dead.layers.map((l) => `${l.dead}/${l.units}`), textposition: 'auto' }],
    { title: { text: 'Dead neurons (never active on the test set), %' }, margin, yaxis: { range: [0, 100] } },
    plotConfig,
  );
  drawSamples(values, test.labels, data);
  return accuracy;
}

async function drawCurves(lossSteps: number[], losses: number[], accSteps: number[], accuracies: number[]): Promise<void> {
  const margin = { t: 50, r: 10, b: 40, l: 50 };
  await Plotly.react(byId('plot-loss'), [{ x: [...lossSteps], y: [...losses], mode: 'lines', name: 'training loss' }], { title: { text: 'Training loss per step' }, margin, xaxis: { title: { text: 'step' } } }, plotConfig);
  await Plotly.react(
    byId('plot-accuracy'),
    [{ x: [...accSteps], y: accuracies.map((a) => 100 * a), mode: 'lines+markers', name: 'test accuracy' }],
    { title: { text: 'Test accuracy, %' }, margin, xaxis: { title: { text: 'step' } }, yaxis: { range: [0, 100] } },
    plotConfig,
  );
}

/** The first test images (un-normalised back to grey levels) with predicted and true class. */
function drawSamples(logits: Float32Array, labels: Int32Array, data: TrainTest): void {
  const box = byId('samples');
  box.replaceChildren();
  const pixels = new Float32Array(SAMPLE_IMAGES * 784);
  data.test.gather(Int32Array.from({ length: SAMPLE_IMAGES }, (_, i) => i), pixels);
  for (let i = 0; i < Math.min(SAMPLE_IMAGES, labels.length); i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (logits[i * 10 + c] > logits[i * 10 + best]) best = c;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 28;
    canvas.style.width = canvas.style.height = '84px';
    canvas.style.imageRendering = 'pixelated';
    const image = new ImageData(28, 28);
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = 0; p < 784; p++) (lo = Math.min(lo, pixels[i * 784 + p])), (hi = Math.max(hi, pixels[i * 784 + p]));
    for (let p = 0; p < 784; p++) {
      const v = Math.round((255 * (pixels[i * 784 + p] - lo)) / Math.max(1e-6, hi - lo));
      image.data.set([v, v, v, 255], 4 * p);
    }
    canvas.getContext('2d')!.putImageData(image, 0, 0);
    const figure = document.createElement('figure');
    figure.style.margin = '0.3rem';
    const caption = document.createElement('figcaption');
    caption.style.fontSize = '0.75rem';
    caption.style.color = best === labels[i] ? '#1a7f37' : '#c00';
    caption.textContent = `${CLASSES[best]}${best === labels[i] ? '' : ` (is ${CLASSES[labels[i]]})`}`;
    figure.append(canvas, caption);
    box.append(figure);
  }
}

async function main(): Promise<void> {
  injectStyle();
  await chooseBackend();
  const act = byId<HTMLSelectElement>('activation');
  for (const name of gs.activations.elementwiseNames()) act.add(new Option(name, name));
  act.value = 'relu';
  byId('train').addEventListener('click', () => void train().catch(showError));
  byId('stop').addEventListener('click', () => (stopRequested = true));
  const b = await loadBytes();
  setOutput('data', `data: FashionMNIST cache loaded (${(b.length / 1e6).toFixed(1)} MB)`);
  markReady();
}

main().catch(showError);
