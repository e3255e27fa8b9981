// Training checkpoints: one safetensors file holding the model's parameters
// ('model.<name>'), the optimizer's state tensors ('optimizer.<index>.<buffer>') and, in
// __metadata__ 'gradscope', the optimizer's step count and settings, the data loader's
// position, the history and the running sums of an unfinished epoch. Written
// atomically (temporary file + rename), so a crash mid-write keeps the previous one.
// Values are plain float32 on the host, so a checkpoint made on WebGPU resumes on the
// CPU and the reverse.

import { readFileBytes, writeFileAtomic } from './data/node-files';
import type { DataLoader, LoaderPosition } from './data/loader';
import { readSafetensors, saveSafetensors, type LoadedTensor } from './io/safetensors';
import type { Module } from './module';
import type { Optimizer } from './optim/optimizer';
import type { CheckpointTarget, EpochRecord } from './train';

const FORMAT = 'gradscope-checkpoint';
const VERSION = 1;

export interface EpochSums {
  loss: number;
  correct: number;
  samples: number;
  seconds: number;
}

interface CheckpointMeta {
  format: string;
  version: number;
  optimizer: { name: string; stepCount: number; config: Record<string, unknown> };
  loader: LoaderPosition;
  history: EpochRecord[];
  partial: EpochSums;
}

export async function makeCheckpoint(
  model: Module,
  optimizer: Optimizer,
  loader: DataLoader,
  history: EpochRecord[] = [],
  partial: EpochSums = { loss: 0, correct: 0, samples: 0, seconds: 0 },
): Promise<Uint8Array> {
  const tensors: Record<string, import('../engine/tensor').Tensor> = {};
  for (const [name, t] of model.namedParameters()) tensors[`model.${name}`] = t;
  for (const [name, t] of Object.entries(optimizer.stateTensors())) tensors[`optimizer.${name}`] = t;
  const meta: CheckpointMeta = {
    format: FORMAT,
    version: VERSION,
    optimizer: { name: optimizer.constructor.name, stepCount: optimizer.stepCount, config: optimizer.config() },
    loader: loader.position(),
    history,
    partial,
  };
  return saveSafetensors(tensors, { gradscope: JSON.stringify(meta) });
}

/** Write checkpoint bytes to a file (atomically) or hand them to a callback. */
export async function writeCheckpoint(target: CheckpointTarget, bytes: Uint8Array, position: LoaderPosition): Promise<void> {
  if (typeof target === 'string') await writeFileAtomic(target, bytes);
  else await target(bytes, position);
}

/** Node: write a checkpoint file now (what fit does at the end of every epoch). */
export async function saveCheckpoint(file: string, model: Module, optimizer: Optimizer, loader: DataLoader): Promise<void> {
  await writeFileAtomic(file, await makeCheckpoint(model, optimizer, loader));
}

/** Restore model, optimizer and loader position from a checkpoint (a file path in Node, or bytes). */
export async function loadCheckpointInto(
  source: string | Uint8Array,
  model: Module,
  optimizer: Optimizer,
  loader: DataLoader,
): Promise<{ history: EpochRecord[]; partial: EpochSums }> {
  const bytes = typeof source === 'string' ? await readFileBytes(source) : source;
  const { tensors, metadata } = readSafetensors(bytes);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(metadata.gradscope ?? 'null');
  } catch {
    throw new Error('resumeFrom: the checkpoint metadata is not valid JSON');
  }
  if (!meta || meta.format !== FORMAT || meta.version !== VERSION) {
    throw new Error(`resumeFrom: not a gradscope checkpoint (version ${VERSION}); a plain safetensors file can be loaded with model.loadStateDict`);
  }
  if (meta.optimizer.name !== optimizer.constructor.name) {
    throw new Error(`resumeFrom: the checkpoint holds ${meta.optimizer.name} state, but fit was given ${optimizer.constructor.name}`);
  }
  const params: Record<string, Float32Array> = {};
  const state: Record<string, LoadedTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith('model.')) params[name.slice(6)] = t.data;
    else if (name.startsWith('optimizer.')) state[name.slice(10)] = t;
    else throw new Error(`resumeFrom: unexpected tensor '${name}' in the checkpoint`);
  }
  model.loadStateDict(params);
  optimizer.loadState(state, meta.optimizer.stepCount);
  loader.seek(meta.loader);
  return { history: meta.history, partial: meta.partial };
}
