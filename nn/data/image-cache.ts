// The compact binary form of an image set: what the data sets are converted to on
// first use, and what a browser page fetches. Layout (little-endian):
//
//   0  'GSIM' magic            16  rows (u32)
//   4  version = 1 (u32)       20  cols (u32)
//   8  count (u32)             24  classes (u32)
//  12  reserved = 0 (u32)      28  FNV-1a 32 checksum of everything after the header (u32)
//  32  labels: count × u8, then pixels: count × rows × cols × u8
//
// The reader checks every field against the byte length BEFORE allocating anything, so
// a truncated or forged file is refused with a clear error, never a huge allocation.

import { fnv1a } from '../checksum';

export { fnv1a };

export interface ImageSet {
  count: number;
  rows: number;
  cols: number;
  classes: number;
  labels: Uint8Array;
  pixels: Uint8Array;
}

const MAGIC = 0x4d495347; // 'GSIM' read as a little-endian u32
const VERSION = 1;
export const IMAGE_HEADER_BYTES = 32;


export function encodeImageSet(set: ImageSet): Uint8Array {
  const { count, rows, cols, classes, labels, pixels } = set;
  if (labels.length !== count || pixels.length !== count * rows * cols) {
    throw new Error(`encodeImageSet: ${labels.length} labels and ${pixels.length} pixels for ${count} images of ${rows}×${cols}`);
  }
  const out = new Uint8Array(IMAGE_HEADER_BYTES + count + pixels.length);
  out.set(labels, IMAGE_HEADER_BYTES);
  out.set(pixels, IMAGE_HEADER_BYTES + count);
  const view = new DataView(out.buffer);
  [MAGIC, VERSION, count, 0, rows, cols, classes].forEach((v, i) => view.setUint32(4 * i, v, true));
  view.setUint32(28, fnv1a(out, IMAGE_HEADER_BYTES), true);
  return out;
}

/** Parse and verify; the arrays returned view `bytes` (no copy). */
export function decodeImageSet(bytes: Uint8Array, what = 'image set'): ImageSet {
  const fail = (why: string): never => {
    throw new Error(`${what}: not a valid gradscope image file: ${why}`);
  };
  if (!(bytes instanceof Uint8Array)) fail('expected a Uint8Array');
  if (bytes.length < IMAGE_HEADER_BYTES) fail(`${bytes.length} bytes is shorter than the ${IMAGE_HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [magic, version, count, reserved, rows, cols, classes, checksum] = Array.from({ length: 8 }, (_, i) => view.getUint32(4 * i, true));
  if (magic !== MAGIC) fail(`bad magic 0x${magic.toString(16)}`);
  if (version !== VERSION) fail(`version ${version}, this reader knows ${VERSION}`);
  if (reserved !== 0) fail(`reserved field is ${reserved}, expected 0`);
  if (rows < 1 || cols < 1 || rows > 4096 || cols > 4096) fail(`image size ${rows}×${cols} is out of range`);
  if (classes < 1 || classes > 256) fail(`${classes} classes is out of range [1, 256]`);
  const expected = IMAGE_HEADER_BYTES + count * (1 + rows * cols);
  if (expected !== bytes.length) fail(`header says ${count} images of ${rows}×${cols} (${expected} bytes) but the file has ${bytes.length} bytes`);
  const actual = fnv1a(bytes, IMAGE_HEADER_BYTES);
  if (actual !== checksum) fail(`checksum 0x${actual.toString(16)} does not match the header's 0x${checksum.toString(16)}`);
  const labels = bytes.subarray(IMAGE_HEADER_BYTES, IMAGE_HEADER_BYTES + count);
  for (let i = 0; i < count; i++) if (labels[i] >= classes) fail(`label ${labels[i]} of image ${i} is not below ${classes} classes`);
  return { count, rows, cols, classes, labels, pixels: bytes.subarray(IMAGE_HEADER_BYTES + count) };
}
