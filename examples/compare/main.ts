// Compare: the activation comparison experiment (experiment/compare.ts's runComparison, which
// uses no Node API) run in the page, with the report's results table and figures.
import Plotly from 'plotly.js-dist-min';
import { runComparison } from '../../experiment/compare';
import { IMAGE_SPLITS, loadDataset, type Dataset, type DatasetRequest } from '../../experiment/datasets';
import { comparisonFigures } from '../../experiment/figures';
import { DEFAULTS, parseActivations, type CompareOptions, type DatasetName } from '../../experiment/options';
import type { ComparisonResult } from '../../experiment/results';
import { drawFigures } from '../../report/draw';
import { comparisonSectionsHtml } from '../../report/markup';
import { byId, chooseBackend, gs, injectStyle, markReady, setOutput, showError } from '../shared/page';

function num(id: string): number {
  const v = Number(byId<HTMLInputElement>(id).value);
  if (!Number.isFinite(v)) throw new Error(`${id}: '${byId<HTMLInputElement>(id).value}' is not a number`);
  return v;
}

/** FashionMNIST comes from the server as nn/data's binary cache; the 2-D sets are generated here. */
async function browserDataset(request: DatasetRequest): Promise<Dataset> {
  if (request.name !== 'fashion-mnist') return loadDataset(request);
  const response = await fetch('/data/fashion-mnist.gsim');
  if (!response.ok) throw new Error(`fetching /data/fashion-mnist.gsim: HTTP ${response.status}`);
  if (request.normalize === 'standard') throw new Error("normalize 'standard' is for the 2-D sets, not FashionMNIST");
  const sets = gs.data.imageSetFromBytes('fashion-mnist', new Uint8Array(await response.arrayBuffer()), { ...request, normalize: request.normalize });
  return {
    name: 'fashion-mnist',
    features: sets.train.features,
    classes: sets.train.classes,
    train: sets.train,
    test: sets.test,
    description: `FashionMNIST: ${sets.train.length} training and ${sets.test.length} test images (seeded subsets, seed ${request.seed})`,
    split: IMAGE_SPLITS['fashion-mnist'],
    normalization: request.normalize,
  };
}

async function run(): Promise<void> {
  // The quick protocol's settings, with what the page's fields set.
  const seed = Math.round(num('seed'));
  const options: CompareOptions = {
    ...DEFAULTS,
    dataset: byId<HTMLSelectElement>('dataset').value as DatasetName,
    activations: parseActivations(byId<HTMLInputElement>('activations').value),
    hidden: byId<HTMLInputElement>('hidden').value.split(',').map((s) => Number(s.trim())),
    epochs: Math.round(num('epochs')),
    trainSize: Math.round(num('train-size')),
    testSize: Math.round(num('test-size')),
    batch: Math.round(num('batch')),
    lr: num('lr'),
    momentum: num('momentum'),
    init: 'pytorch_default',
    seed,
    seeds: [seed],
    // The page already chose its backend (WebGPU or the CPU fallback); keep it.
    device: gs.getBackend().name === 'webgpu' ? 'webgpu' : 'cpu',
  };
  setOutput('progress', 'starting…', 'running');
  const result = await runComparison(options, {
    loadDataset: browserDataset,
    onRunStart: (r) => setOutput('progress', `training ${r.label} (${r.index + 1} of ${r.total})`, 'running'),
    onEpochEnd: (e) => setOutput('progress', `${e.label}: epoch ${e.epoch}, test accuracy ${(100 * e.testAccuracy).toFixed(1)}%`, 'running'),
  });
  await show(result);
  setOutput('progress', `done in ${result.totalSeconds.toFixed(1)} s on ${result.backend}`, 'done');
}

/** The report's table and figures, from the same code (experiment/table.ts, experiment/figures.ts, report/). */
async function show(result: ComparisonResult): Promise<void> {
  const figures = comparisonFigures(result);
  byId('report').innerHTML = comparisonSectionsHtml(result, figures);
  await drawFigures(Plotly, figures);
}

async function main(): Promise<void> {
  injectStyle();
  await chooseBackend();
  byId('run').addEventListener('click', () => void run().catch(showError));
  markReady();
}

main().catch(showError);
