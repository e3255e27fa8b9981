// How much memory a comparison needs, estimated from its options before anything is
// loaded or trained: a run that cannot fit is refused at once (exit status 2, with the
// estimate) instead of dying of a V8 heap abort minutes later. The figures are generous
// upper bounds of what the code holds at one time, not predictions to the byte.

import { constants } from 'node:buffer';
import { freemem, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { runOrder } from '../experiment/compare';
import { UsageError, type CompareOptions, type DatasetName } from '../experiment/options';

/**
 * Features per row, and for the image sets the images of the whole set (its binary cache
 * is held whole while a subset is taken). As gs.data builds them (a test compares).
 */
export const DATASET_SHAPES: Record<DatasetName, { features: number; classes: number; wholeSet?: number }> = {
  'fashion-mnist': { features: 784, classes: 10, wholeSet: 70000 },
  mnist: { features: 784, classes: 10, wholeSet: 70000 },
  moons: { features: 2, classes: 2 },
  circles: { features: 2, classes: 2 },
  spirals: { features: 2, classes: 2 },
  xor: { features: 2, classes: 2 },
};

/**
 * JavaScript heap a 2-D set takes while it is generated (gs.data builds it from arrays of
 * points): measured at 94 to 104 bytes per point for 4 and 8 million moons in Node 20
 * (the smallest --max-old-space-size that completes), rounded up.
 */
const GENERATION_HEAP_PER_POINT = 128;
/** Heap per recorded step loss: the array of numbers, its copy from a worker, and its text in results.json. */
const RECORD_HEAP_PER_STEP = 64;
/** Characters of one step loss in results.json (indented one space per level, five levels deep, a 17-digit number). */
const RESULT_CHARS_PER_STEP = 26;
/** Copies of the network's parameters held at once: weights, gradients, momentum, the gradient statistics'. */
const PARAMETER_COPIES = 4;
/** Copies of a batch's activations held at once: the forward's kept values and the backward's gradients, twice over. */
const ACTIVATION_COPIES = 4;

export interface MemoryEstimate {
  /** Bytes in all, every thread together: must fit in the machine's available memory. */
  total: number;
  /** The most one thread (the main one, or a worker of --jobs) needs in its JavaScript heap. */
  heapPerThread: number;
  /** What the total is made of. */
  parts: {
    /** The data set, one copy per thread that holds it (the main thread and each worker). */
    data: number;
    /** The JavaScript heap of generating a 2-D set, in every thread that generates it at once. */
    generation: number;
    /** Parameters, gradients, optimizer state and a batch's activations, for every run training at once. */
    network: number;
    /** Every run's per-step losses and their text. */
    records: number;
  };
  /** Step losses results.json records, all runs together. */
  steps: number;
  /** Characters of results.json (one JavaScript string). */
  resultChars: number;
}

/** Estimates the memory a comparison with these options needs. */
export function estimateMemory(options: CompareOptions): MemoryEstimate {
  const shape = DATASET_SHAPES[options.dataset];
  const rows = options.trainSize + options.testSize;
  const runs = runOrder(options).length;
  const jobs = Math.min(options.jobs ?? 1, runs);
  const copies = jobs > 1 ? 1 + jobs : 1;
  // Images are kept as bytes (normalised batch by batch); the 2-D sets as float32.
  const bytesPerRow = (shape.wholeSet ? shape.features : 4 * shape.features) + 4;
  const dataCopy = rows * bytesPerRow + 4 * options.trainSize + (shape.wholeSet ?? 0) * (shape.features + 16);
  // The 2-D sets are drawn in one go (train and test points together), then split.
  const generationHeap = shape.wholeSet ? 8 * shape.wholeSet : GENERATION_HEAP_PER_POINT * (options.trainSize + options.testSize);
  const layers = [shape.features, ...options.hidden, shape.classes];
  let parameters = 0;
  for (let i = 0; i + 1 < layers.length; i++) parameters += layers[i] * layers[i + 1] + layers[i + 1];
  const batchRows = Math.max(options.batch, 512); // training batches, and the test set's batches of 512
  const network = 4 * (PARAMETER_COPIES * parameters + ACTIVATION_COPIES * batchRows * layers.reduce((a, b) => a + b, 0));
  const stepsPerRun = options.steps ?? options.epochs * Math.ceil(options.trainSize / options.batch);
  const steps = runs * stepsPerRun;
  const records = RECORD_HEAP_PER_STEP * steps;
  const parts = { data: copies * dataCopy, generation: jobs * generationHeap, network: jobs * network, records };
  return {
    total: parts.data + parts.generation + parts.network + parts.records,
    heapPerThread: generationHeap + records,
    parts,
    steps,
    resultChars: RESULT_CHARS_PER_STEP * steps,
  };
}

export interface MemoryLimits {
  /** Bytes of memory available now. */
  available: number;
  /** The JavaScript heap's size limit, and what this thread uses of it now. */
  heapLimit: number;
  heapUsed: number;
  /** The longest JavaScript string. */
  maxStringLength: number;
}

/** This machine's and this process's limits (a cgroup's memory limit counts where there is one). */
export function machineLimits(): MemoryLimits {
  const heap = getHeapStatistics();
  const constrained = process.constrainedMemory?.() ?? 0;
  const available = constrained > 0 && constrained < totalmem() ? Math.min(freemem(), constrained - process.memoryUsage().rss) : freemem();
  return { available, heapLimit: heap.heap_size_limit, heapUsed: heap.used_heap_size, maxStringLength: constants.MAX_STRING_LENGTH };
}

export function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.ceil(bytes / 1e3)} kB`;
}

/**
 * Refuses (UsageError: exit status 2) a comparison that cannot fit in memory, or whose
 * results.json could not be held in one string; says what it would need and which flags
 * lower it.
 */
export function checkMemory(options: CompareOptions, limits: MemoryLimits = machineLimits()): MemoryEstimate {
  const estimate = estimateMemory(options);
  const { parts } = estimate;
  const jobs = (options.jobs ?? 1) > 1 ? ', or fewer --jobs' : '';
  const remedies: [number, string][] = [
    [parts.data + parts.generation, 'lower --train-size or --test-size'],
    [parts.network, 'lower --hidden'],
    [parts.records, 'lower --epochs or --train-size, or raise --batch'],
  ];
  const remedy = remedies.reduce((a, b) => (b[0] > a[0] ? b : a))[1] + jobs;
  const breakdown =
    `data ${formatBytes(parts.data)}` +
    (parts.generation > 0 ? `, generating the data ${formatBytes(parts.generation)}` : '') +
    `, network ${formatBytes(parts.network)}, step records ${formatBytes(parts.records)}`;
  if (estimate.total > limits.available) {
    throw new UsageError(`not enough memory: the run needs about ${formatBytes(estimate.total)} (${breakdown}) and this machine has ${formatBytes(limits.available)} available; ${remedy}`);
  }
  const heapLeft = limits.heapLimit - limits.heapUsed;
  if (estimate.heapPerThread > heapLeft) {
    throw new UsageError(
      `not enough memory: the run needs about ${formatBytes(estimate.heapPerThread)} of JavaScript heap in one thread (${breakdown}), ` +
        `more than the ${formatBytes(heapLeft)} its limit leaves (NODE_OPTIONS=--max-old-space-size raises it); ${remedy}`,
    );
  }
  if (estimate.resultChars > limits.maxStringLength) {
    throw new UsageError(
      `results.json would record ${estimate.steps.toLocaleString('en-US')} step losses (about ${formatBytes(estimate.resultChars)} of text), ` +
        `more than one JavaScript string can hold (${limits.maxStringLength.toLocaleString('en-US')} characters); lower --epochs or --train-size, or raise --batch`,
    );
  }
  return estimate;
}
