// The IDX format of the original MNIST files (LeCun et al.): a big-endian header, then
// the values. Images: magic 0x00000803 (unsigned bytes, 3 dimensions), count, rows,
// cols, then count × rows × cols pixels. Labels: magic 0x00000801 (unsigned bytes, 1
// dimension), count, then count labels. Every field is checked against the byte length
// before anything is read, and an error names the file and what was wrong.

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols bytes, row-major (a view of the input). */
  pixels: Uint8Array;
}

function header(bytes: Uint8Array, file: string, words: number, magic: number, what: string): number[] {
  if (bytes.length < 4 * words) throw new Error(`${file}: ${bytes.length} bytes is shorter than the ${4 * words}-byte IDX ${what} header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields = Array.from({ length: words }, (_, i) => view.getUint32(4 * i, false));
  if (fields[0] !== magic) {
    throw new Error(`${file}: magic number 0x${fields[0].toString(16).padStart(8, '0')} is not that of IDX ${what} (0x${magic.toString(16).padStart(8, '0')})`);
  }
  return fields;
}

/** The images of an IDX image file; `file` names it in errors. */
export function parseIdxImages(bytes: Uint8Array, file: string): IdxImages {
  const [, count, rows, cols] = header(bytes, file, 4, IDX_IMAGES_MAGIC, 'images');
  const expected = 16 + count * rows * cols;
  if (bytes.length !== expected) {
    throw new Error(`${file}: the header says ${count} images of ${rows}×${cols} (${expected} bytes), the file has ${bytes.length} bytes`);
  }
  return { count, rows, cols, pixels: bytes.subarray(16) };
}

/** The labels of an IDX label file, each checked to be below `classes`. */
export function parseIdxLabels(bytes: Uint8Array, file: string, classes: number): Uint8Array {
  const [, count] = header(bytes, file, 2, IDX_LABELS_MAGIC, 'labels');
  if (bytes.length !== 8 + count) throw new Error(`${file}: the header says ${count} labels (${8 + count} bytes), the file has ${bytes.length} bytes`);
  const labels = bytes.subarray(8);
  const bad = labels.findIndex((label) => label >= classes);
  if (bad >= 0) throw new Error(`${file}: label ${labels[bad]} of item ${bad} is not below ${classes} classes`);
  return labels;
}
