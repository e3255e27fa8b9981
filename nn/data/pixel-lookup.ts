// Gathers image rows as normalised float32s through a 256-entry table, in WebAssembly.
//
// Every training batch is 128 rows of 784 uint8 pixels looked up in the data set's
// table ((p/255 − mean)/std as float32). In a JS loop that is ~2.5 ns a pixel (V8's
// typed-array accesses), about 0.3 ms of a ~6 ms SimpleNetwork step; in wasm a lookup
// is a byte load, a float load and a store. The rows are copied into the wasm memory
// (memcpy), looked up there and the floats copied out: the same table, so the same
// bits as the JS loop, which stays as the fallback where WebAssembly is missing.
//
// Memory layout: [table: 256 f32 | the rows' pixels (padded to 4) | their floats].

import { encodeModule, FunctionBody, I32 } from '../../engine/backends/wasm/wasm-encoder';
import { doCounting } from '../../engine/backends/wasm/wasm-loops';
import { growTo } from '../../engine/backends/wasm/wasm-memory';

const TABLE_BYTES = 256 * 4;

/** lookup(src, dst, groups): dst[i] = table[src[i]] for 4·groups bytes from src (addresses in bytes). */
function lookupModuleBytes(): Uint8Array<ArrayBuffer> {
  const f = new FunctionBody([I32, I32, I32]);
  const [src, dst, groups] = [0, 1, 2];
  const i = f.local(I32);
  f.i32Const(0).localSet(i);
  doCounting(f, i, groups, () => {
    for (let k = 0; k < 4; k++) {
      // f32.store(dst + 4k, f32.load(table + 4·src[k])); the table starts at address 0
      f.localGet(dst);
      f.localGet(src).i32Load8U(k).i32Const(2).i32Shl().f32Load();
      f.f32Store(4 * k);
    }
    f.localGet(src).i32Const(4).i32Add().localSet(src);
    f.localGet(dst).i32Const(16).i32Add().localSet(dst);
  });
  return encodeModule([{ name: 'lookup', body: f }], { importMemoryPages: 1 });
}

export class PixelLookup {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly lookup: (src: number, dst: number, groups: number) => void;
  private bytes: Uint8Array;
  private floats: Float32Array;

  constructor(private readonly table: Float32Array) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(lookupModuleBytes()), { env: { memory: this.memory } });
    this.lookup = instance.exports.lookup as PixelLookup['lookup'];
    this.bytes = new Uint8Array(this.memory.buffer);
    this.floats = new Float32Array(this.memory.buffer);
    this.floats.set(table);
  }

  /** out[r·d + j] = table[pixels[indices[r]·d + j]] for every row r of indices. */
  gather(pixels: Uint8Array, d: number, indices: ArrayLike<number>, out: Float32Array): void {
    const count = indices.length * d;
    if (count === 0) return;
    const padded = Math.ceil(count / 4) * 4;
    const src = TABLE_BYTES;
    const dst = src + padded;
    this.reserve(dst + 4 * padded);
    for (let r = 0; r < indices.length; r++) this.bytes.set(pixels.subarray(indices[r] * d, indices[r] * d + d), src + r * d);
    this.lookup(src, dst, padded / 4);
    out.set(this.floats.subarray(dst / 4, dst / 4 + count));
  }

  private reserve(bytes: number): void {
    if (!growTo(this.memory, bytes)) return;
    this.bytes = new Uint8Array(this.memory.buffer);
    this.floats = new Float32Array(this.memory.buffer);
  }
}

/** A lookup for this table, or null where the engine has no WebAssembly (then the JS loop runs). */
export function pixelLookup(table: Float32Array): PixelLookup | null {
  try {
    return typeof WebAssembly === 'object' ? new PixelLookup(table) : null;
  } catch {
    return null;
  }
}
