// safetensors, the format torch and Hugging Face use for weights:
//   8 bytes   little-endian u64 N, the header length
//   N bytes   JSON: { "__metadata__": {string: string}, name: { dtype, shape, data_offsets: [begin, end] } }
//             padded with spaces so the data starts at a multiple of 8 (as the reference writer does)
//   data      the tensors' bytes, little-endian, offsets relative to the start of the data
// Tensors are written sorted by name, contiguously, as the reference writer lays them out.
// The reader checks every length, offset, dtype and shape against the file before it
// allocates anything, so a hostile file gets a clear error and no huge allocation. A name
// written twice is refused (JSON.parse would keep the last one silently), and names are
// ordinary keys whatever they spell ('__proto__' included): see name-map.ts.

import { Tensor } from '../../engine/tensor';
import { entriesOf, nameMap } from '../name-map';
import { asBytes, describeNonBytes, type BytesLike } from './bytes';

export interface LoadedTensor {
  shape: number[];
  data: Float32Array;
}

export type SafetensorsInput = Record<string, Tensor | LoadedTensor> | ReadonlyMap<string, Tensor | LoadedTensor>;

/** The largest header we accept (the reference reader's limit is 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;
const MAX_RANK = 16;

export async function saveSafetensors(state: SafetensorsInput, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  const entries = entriesOf(state).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const names = entries.map(([name]) => name);
  const arrays: { shape: number[]; data: Float32Array }[] = [];
  for (const [name, value] of entries) {
    if (name === '__metadata__') throw new Error("saveSafetensors: '__metadata__' is reserved and cannot name a tensor");
    if (value instanceof Tensor) arrays.push({ shape: [...value.shape], data: await value.toArray() });
    else if (value && value.data instanceof Float32Array && Array.isArray(value.shape)) {
      const size = value.shape.reduce((a, b) => a * b, 1);
      if (size !== value.data.length) throw new Error(`saveSafetensors: '${name}' has ${value.data.length} values but shape [${value.shape.join(', ')}]`);
      arrays.push({ shape: [...value.shape], data: value.data });
    } else throw new Error(`saveSafetensors: '${name}' is not a Tensor or { shape, data: Float32Array }`);
  }
  for (const [key, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new Error(`saveSafetensors: metadata '${key}' must be a string (safetensors metadata is string → string), got ${typeof v}`);
  }
  const header = nameMap<unknown>();
  if (Object.keys(metadata).length) header.__metadata__ = nameMap(Object.entries(metadata));
  let offset = 0;
  names.forEach((name, i) => {
    const bytes = arrays[i].data.length * 4;
    header[name] = { dtype: 'F32', shape: arrays[i].shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  });
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const { data } of arrays) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}

export interface SafetensorsFile {
  tensors: Record<string, LoadedTensor>;
  metadata: Record<string, string>;
}

/** Parse and check a safetensors file (its bytes: a Uint8Array, a Node Buffer or an ArrayBuffer); tensors and metadata. */
export function readSafetensors(input: BytesLike): SafetensorsFile {
  const fail = (why: string): never => {
    throw new Error(`loadSafetensors: invalid file: ${why}`);
  };
  const bytes = asBytes(input) ?? fail(`expected bytes (a Uint8Array, a Node Buffer or an ArrayBuffer), got ${describeNonBytes(input)}`);
  if (bytes.length < 8) fail(`${bytes.length} bytes is shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerLength = high * 2 ** 32 + low;
  if (headerLength > bytes.length - 8) fail(`header length ${headerLength} is beyond the file (${bytes.length} bytes)`);
  if (headerLength > MAX_HEADER_BYTES) fail(`header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (headerLength < 2) fail(`header length ${headerLength} is too small for a JSON object`);
  let header: unknown;
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
    header = JSON.parse(text);
  } catch (error) {
    fail(`the header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) fail('the header is not a JSON object');
  const duplicate = firstDuplicateKey(text);
  if (duplicate) {
    const { key, within } = duplicate;
    if (within !== null) fail(`key '${key}' appears twice in '${within}'`);
    fail(key === '__metadata__' ? "'__metadata__' appears twice in the header" : `tensor '${key}' is named twice in the header`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata = nameMap<string>();
  const entries: { name: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ '${k}' is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (!raw || typeof raw !== 'object') fail(`tensor '${name}' has no description`);
    const { dtype, shape, data_offsets: offsets } = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (dtype !== 'F32') fail(`tensor '${name}' has dtype ${JSON.stringify(dtype)}; only F32 is supported`);
    if (!Array.isArray(shape) || shape.length > MAX_RANK || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      fail(`tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    }
    let size = 1;
    for (const d of shape as number[]) {
      size *= d;
      if (size * 4 > dataLength) fail(`tensor '${name}' shape [${(shape as number[]).join(', ')}] needs more bytes than the file's ${dataLength} bytes of data`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0)) {
      fail(`tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end || end > dataLength) fail(`tensor '${name}' data_offsets [${begin}, ${end}] are outside the ${dataLength} bytes of data`);
    if (end - begin !== size * 4) fail(`tensor '${name}' data_offsets [${begin}, ${end}] hold ${end - begin} bytes but shape [${(shape as number[]).join(', ')}] needs ${size * 4}`);
    entries.push({ name, shape: shape as number[], begin, end });
  }
  // As the reference reader: the tensors tile the data exactly, without overlaps or gaps.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin < cursor) fail(`tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] overlap another tensor's`);
    if (e.begin > cursor) fail(`a gap of ${e.begin - cursor} bytes before tensor '${e.name}'`);
    cursor = e.end;
  }
  if (cursor !== dataLength) fail(`the tensors cover ${cursor} bytes but the data section has ${dataLength}`);
  const tensors = nameMap<LoadedTensor>();
  for (const e of entries) {
    // Copy into a fresh array: the data section need not be 4-byte aligned in a foreign file.
    const data = new Float32Array((e.end - e.begin) / 4);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + e.begin, dataStart + e.end));
    tensors[e.name] = { shape: e.shape, data };
  }
  return { tensors, metadata };
}

/**
 * The first key that an object of this (valid) JSON text holds twice, with the key of the
 * object it is in (null: the top level). JSON.parse keeps the last silently, so the text
 * is walked once: a set of keys per open object, strings skipped with their escapes.
 */
function firstDuplicateKey(text: string): { key: string; within: string | null } | null {
  const open: { keys: Set<string> | null; name: string | null }[] = []; // keys null: an array
  let expectKey = false;
  let lastKey: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        const top = open[open.length - 1];
        if (top.keys!.has(key)) return { key, within: top.name };
        top.keys!.add(key);
        lastKey = key;
        expectKey = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      const parent = open[open.length - 1];
      open.push({ keys: c === '{' ? new Set() : null, name: parent?.keys ? lastKey : (parent?.name ?? null) });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') open.pop();
    else if (c === ',') expectKey = open[open.length - 1]?.keys != null;
  }
  return null;
}

/** name → { shape, data } (the metadata is dropped; readSafetensors gives both). */
export function loadSafetensors(bytes: BytesLike): Record<string, LoadedTensor> {
  return readSafetensors(bytes).tensors;
}

/** Node: write a state dict to a .safetensors file (atomically). */
export async function saveSafetensorsFile(file: string, state: SafetensorsInput, metadata: Record<string, string> = {}): Promise<void> {
  const { writeFileAtomic } = await import('../data/node-files');
  await writeFileAtomic(file, await saveSafetensors(state, metadata));
}

/** Node: read a .safetensors file. */
export async function loadSafetensorsFile(file: string): Promise<Record<string, LoadedTensor>> {
  const { readFileBytes } = await import('../data/node-files');
  return loadSafetensors(await readFileBytes(file));
}
