// Training checkpoints: one safetensors file holding the model's parameters
// ('model.<name>'), the optimizer's state tensors ('optimizer.<index>.<buffer>') and, in
// __metadata__ 'gradscope', a checksum of those tensors, the optimizer's step count,
// settings and the names of the parameters it updates, the data loader's position, the
// history and the running sums of an unfinished epoch. Written atomically (temporary
// file + rename), so a crash mid-write keeps the previous one. Values are plain float32
// on the host, so a checkpoint made on WebGPU resumes on the CPU and the reverse.
//
// Resuming is all or nothing: every part of the checkpoint is checked against the model,
// the optimizer and the loader before any of them changes, so a refused checkpoint
// leaves the run exactly as it was.

import { FNV1A_START, fnv1a } from './checksum';
import { readFileBytes, writeFileAtomic } from './data/node-files';
import type { DataLoader, LoaderPosition } from './data/loader';
import type { BytesLike } from './io/bytes';
import { readSafetensors, saveSafetensors, type LoadedTensor } from './io/safetensors';
import type { Module } from './module';
import { nameMap } from './name-map';
import type { Optimizer } from './optim/optimizer';
import type { EpochRecord, EpochTotals } from './epoch';

const FORMAT = 'gradscope-checkpoint';
/** 2: adds the tensors' checksum, the optimizer's parameter names and the loader's batch size and length. */
const VERSION = 2;

/** Where fit writes checkpoints: a file path (Node), or a callback that receives the bytes. */
export type CheckpointTarget = string | ((bytes: Uint8Array, info: { epoch: number; batch: number }) => void | Promise<void>);

interface CheckpointMeta {
  format: string;
  version: number;
  /** 'fnv1a 1a2b3c4d': see tensorChecksum. */
  checksum: string;
  /** parameters: the model's names of the parameters the optimizer updates, in its order. */
  optimizer: { name: string; stepCount: number; config: Record<string, unknown>; parameters: string[] };
  /** Where the loader stands, and what its batches were (a mid-epoch position means nothing for other batches). */
  loader: LoaderPosition & { batchSize: number; samples: number };
  history: EpochRecord[];
  partial: EpochTotals;
}

const refuse = (why: string): never => {
  throw new Error(`resumeFrom: ${why}`);
};

/** Run a check of the model, optimizer or loader; its error becomes a refusal of the checkpoint. */
function checked<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    return refuse((error as Error).message);
  }
}

/** FNV-1a over every tensor's name, shape and values, in name order: a changed byte, value, shape or name shows. */
function tensorChecksum(tensors: Record<string, LoadedTensor>): string {
  const text = new TextEncoder();
  let hash = FNV1A_START;
  for (const name of Object.keys(tensors).sort()) {
    const { shape, data } = tensors[name];
    const label = text.encode(`${name}[${shape.join(',')}]`);
    hash = fnv1a(label, 0, label.length, hash);
    hash = fnv1a(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 0, data.byteLength, hash);
  }
  return `fnv1a ${hash.toString(16).padStart(8, '0')}`;
}

/** The model's names of the optimizer's parameters (a parameter outside the model says so). */
function updatedParameterNames(model: Module, optimizer: Optimizer): string[] {
  const names = new Map(model.namedParameters().map(([name, t]) => [t, name]));
  return optimizer.params.map((p, i) => names.get(p) ?? `(parameter ${i}, not in the model)`);
}

export async function makeCheckpoint(
  model: Module,
  optimizer: Optimizer,
  loader: DataLoader,
  history: EpochRecord[] = [],
  partial: EpochTotals = { loss: 0, correct: 0, samples: 0, seconds: 0 },
): Promise<Uint8Array> {
  const tensors = nameMap<LoadedTensor>();
  for (const [name, t] of model.namedParameters()) tensors[`model.${name}`] = { shape: [...t.shape], data: await t.toArray() };
  for (const [name, t] of Object.entries(optimizer.stateTensors())) tensors[`optimizer.${name}`] = { shape: [...t.shape], data: await t.toArray() };
  const meta: CheckpointMeta = {
    format: FORMAT,
    version: VERSION,
    checksum: tensorChecksum(tensors),
    optimizer: {
      name: optimizer.constructor.name,
      stepCount: optimizer.stepCount,
      config: optimizer.config(),
      parameters: updatedParameterNames(model, optimizer),
    },
    loader: { ...loader.position(), batchSize: loader.batchSize, samples: loader.dataset.length },
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

/**
 * Restore model, optimizer and loader position from a checkpoint (a file path in Node, or
 * its bytes). Everything is checked first; a checkpoint that fails any check changes nothing.
 */
export async function loadCheckpointInto(
  source: string | BytesLike,
  model: Module,
  optimizer: Optimizer,
  loader: DataLoader,
): Promise<{ history: EpochRecord[]; partial: EpochTotals }> {
  const bytes = typeof source === 'string' ? await readFileBytes(source) : source;
  const { tensors, metadata } = readSafetensors(bytes);
  const meta = parseMeta(metadata.gradscope);
  const checksum = tensorChecksum(tensors);
  if (checksum !== meta.checksum) {
    refuse(`the checkpoint's tensors do not match its checksum (computed ${checksum}, recorded ${meta.checksum}): the file was changed or damaged after it was written`);
  }

  if (meta.optimizer.name !== optimizer.constructor.name) {
    refuse(`the checkpoint holds ${meta.optimizer.name} state, but fit was given ${optimizer.constructor.name}`);
  }
  const updates = updatedParameterNames(model, optimizer);
  if (updates.join('\n') !== meta.optimizer.parameters.join('\n')) {
    refuse(`the checkpoint's optimizer updates ${meta.optimizer.parameters.join(', ')}; fit's updates ${updates.join(', ')}`);
  }
  const conflict = optimizer.resumeConflict(meta.optimizer.config);
  if (conflict) refuse(conflict);

  const params = nameMap<LoadedTensor>();
  const state = nameMap<LoadedTensor>();
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith('model.')) params[name.slice(6)] = t;
    else if (name.startsWith('optimizer.')) state[name.slice(10)] = t;
    else refuse(`unexpected tensor '${name}' in the checkpoint`);
  }

  const position = { epoch: meta.loader.epoch, batch: meta.loader.batch };
  checked(() => loader.checkPosition(position));
  if (position.batch > 0 && (meta.loader.batchSize !== loader.batchSize || meta.loader.samples !== loader.dataset.length)) {
    refuse(
      `the checkpoint was written in the middle of epoch ${position.epoch} (before batch ${position.batch}) by a loader of batch size ` +
        `${meta.loader.batchSize} over ${meta.loader.samples} samples; this loader has batch size ${loader.batchSize} over ` +
        `${loader.dataset.length} samples, so its batches would not continue that epoch`,
    );
  }

  // Staging checks without changing anything; only when both passed does anything change.
  const apply = [checked(() => model.stageStateDict(params)), checked(() => optimizer.stageState(state, meta.optimizer.stepCount))];
  for (const step of apply) step();
  loader.seek(position);
  return { history: meta.history, partial: meta.partial };
}

/** The gradscope metadata, every field checked (the checksum covers the tensors, not this). */
function parseMeta(text: string | undefined): CheckpointMeta {
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(text ?? 'null');
  } catch {
    return refuse('the checkpoint metadata is not valid JSON');
  }
  if (!isRecord(meta) || meta.format !== FORMAT || meta.version !== VERSION) {
    const found = isRecord(meta) && meta.format === FORMAT ? `found version ${JSON.stringify(meta.version)}` : 'no gradscope checkpoint metadata';
    refuse(`not a gradscope checkpoint of version ${VERSION} (${found}); a plain safetensors file can be loaded with model.loadStateDict`);
  }
  const invalid = (field: keyof CheckpointMeta, what: string): never =>
    refuse(`the checkpoint metadata has no valid '${field}' (${what}): got ${JSON.stringify(meta[field])}`);
  const count = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  const numberOrNull = (v: unknown) => v === null || typeof v === 'number'; // JSON writes NaN and ±Infinity as null

  if (typeof meta.checksum !== 'string' || !/^fnv1a [0-9a-f]{8}$/.test(meta.checksum)) invalid('checksum', "'fnv1a' and 8 hex digits");
  const o = meta.optimizer;
  if (!isRecord(o) || typeof o.name !== 'string' || !count(o.stepCount) || !isRecord(o.config) || !Array.isArray(o.parameters) || !o.parameters.every((p) => typeof p === 'string')) {
    invalid('optimizer', 'name, stepCount, config, parameters');
  }
  const l = meta.loader;
  if (!isRecord(l) || !count(l.epoch) || !count(l.batch) || !count(l.batchSize) || !count(l.samples)) invalid('loader', 'epoch, batch, batchSize, samples');
  const h = meta.history;
  if (!Array.isArray(h) || !h.every((r) => isRecord(r) && count(r.epoch) && ['loss', 'accuracy', 'seconds', 'samplesPerSecond'].every((k) => numberOrNull(r[k])))) {
    invalid('history', 'one record per finished epoch');
  }
  const p = meta.partial;
  if (!isRecord(p) || !numberOrNull(p.loss) || typeof p.correct !== 'number' || !count(p.samples) || typeof p.seconds !== 'number') {
    invalid('partial', 'the running sums of the unfinished epoch');
  }
  return { ...meta, partial: { ...p, loss: p.loss ?? NaN } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
