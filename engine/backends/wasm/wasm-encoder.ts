// A tiny WebAssembly binary encoder: just enough of the format to emit the CPU
// backend's SIMD kernels from TypeScript, so the bytes stay readable as code (like the
// WGSL generators in kernels/) and the engine needs no wasm toolchain.
//
// What it covers, from the spec's "Binary Format" chapter:
//  - LEB128 integers (unsigned for sizes and indices, signed for i32.const);
//  - a module with a type, import (one memory), function, export and code section;
//  - function bodies built instruction by instruction, with the handful of core and
//    0xFD-prefixed SIMD opcodes the kernels use.
// Anything beyond that is left out on purpose; add opcodes here as kernels need them.

/** Value types (binary encoding). */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValueType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

/** Unsigned LEB128: 7 bits per byte, low bits first, high bit set on all but the last. */
export function unsignedLeb128(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`unsignedLeb128: expected an integer in [0, 2^32), got ${value}`);
  }
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Signed LEB128 (two's complement): stop once the rest is all sign bits and bit 6 agrees. */
export function signedLeb128(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw new RangeError(`signedLeb128: expected a 32-bit integer, got ${value}`);
  }
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7; // arithmetic shift keeps the sign
    const signBitClear = (byte & 0x40) === 0;
    if ((value === 0 && signBitClear) || (value === -1 && !signBitClear)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** The little-endian bytes of a typed array's lanes (a v128.const immediate). */
function laneBytes(lanes: Float32Array | Float64Array): number[] {
  return Array.from(new Uint8Array(lanes.buffer, lanes.byteOffset, 16));
}

/** A name: its UTF-8 bytes, prefixed by their count. */
function encodeName(name: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(name));
  return [...unsignedLeb128(bytes.length), ...bytes];
}

/** A vector: element count, then the elements' bytes. */
function encodeVector(items: number[][]): number[] {
  return [...unsignedLeb128(items.length), ...items.flat()];
}

/** A section: id, byte size, contents. */
function encodeSection(id: number, contents: number[]): number[] {
  return [id, ...unsignedLeb128(contents.length), ...contents];
}

/**
 * One function body, written instruction by instruction. Locals are declared up front
 * (params come first in the index space); each method appends one instruction.
 */
export class FunctionBody {
  private readonly code: number[] = [];
  private readonly localTypes: ValueType[] = [];

  constructor(readonly params: ValueType[], readonly results: ValueType[] = []) {}

  /** Declares a local and returns its index (after the params). */
  local(type: ValueType): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }

  // --- variables -------------------------------------------------------------------
  localGet(index: number): this { return this.op(0x20, ...unsignedLeb128(index)); }
  localSet(index: number): this { return this.op(0x21, ...unsignedLeb128(index)); }
  localTee(index: number): this { return this.op(0x22, ...unsignedLeb128(index)); }

  // --- control (block types: 0x40 = no result) ----------------------------------------
  block(): this { return this.op(0x02, 0x40); }
  loop(): this { return this.op(0x03, 0x40); }
  if(): this { return this.op(0x04, 0x40); }
  else(): this { return this.op(0x05); }
  end(): this { return this.op(0x0b); }
  /** Branch to the enclosing block `depth` levels out (a loop's label is its start). */
  br(depth: number): this { return this.op(0x0c, ...unsignedLeb128(depth)); }
  brIf(depth: number): this { return this.op(0x0d, ...unsignedLeb128(depth)); }
  /** Calls function `index` of the module (params from the stack, in order). */
  call(index: number): this { return this.op(0x10, ...unsignedLeb128(index)); }
  drop(): this { return this.op(0x1a); }
  /** Pops c, then b, then a: a if c ≠ 0, else b. */
  select(): this { return this.op(0x1b); }

  // --- i32 arithmetic ---------------------------------------------------------------
  i32Const(value: number): this { return this.op(0x41, ...signedLeb128(value)); }
  i32Eqz(): this { return this.op(0x45); }
  i32Ne(): this { return this.op(0x47); }
  i32Eq(): this { return this.op(0x46); }
  i32LtU(): this { return this.op(0x49); }
  i32Add(): this { return this.op(0x6a); }
  i32Sub(): this { return this.op(0x6b); }
  i32Mul(): this { return this.op(0x6c); }
  i32Shl(): this { return this.op(0x74); }

  // --- scalar memory (alignment log2, then offset) -----------------------------------
  f32Load(offset = 0): this { return this.op(0x2a, 2, ...unsignedLeb128(offset)); }
  /** i32.load8_u: one byte, zero-extended. */
  i32Load8U(offset = 0): this { return this.op(0x2d, 0, ...unsignedLeb128(offset)); }
  f32Store(offset = 0): this { return this.op(0x38, 2, ...unsignedLeb128(offset)); }
  i32Store(offset = 0): this { return this.op(0x36, 2, ...unsignedLeb128(offset)); }

  // --- SIMD for the sine-sum kernel (sine-sum-kernel.ts): f64x2 argument reduction,
  // branch-free lane selects, f32x4 polynomials ------------------------------------------
  /** v128.const with four f32 lanes. */
  f32x4Const(a: number, b: number, c: number, d: number): this { return this.simd(0x0c, ...laneBytes(new Float32Array([a, b, c, d]))); }
  /** v128.const with two f64 lanes. */
  f64x2Const(a: number, b: number): this { return this.simd(0x0c, ...laneBytes(new Float64Array([a, b]))); }
  /** v128.load64_splat: one f64 at address + offset, copied into both lanes. */
  v128Load64Splat(offset = 0): this { return this.simdMemory(0x0a, 3, offset); }
  /** i8x16.shuffle: pops b, then a; byte i of the result is byte lanes[i] of a‖b (0–31). */
  i8x16Shuffle(lanes: readonly number[]): this { return this.simd(0x0d, ...lanes); }
  f32x4Gt(): this { return this.simd(0x44); }
  v128And(): this { return this.simd(0x4e); }
  v128Or(): this { return this.simd(0x50); }
  /** v128.andnot: pops b, then a; a & ~b. */
  v128Andnot(): this { return this.simd(0x4f); }
  /** f32x4.pmin: pops b, then a; b < a ? b : a per lane (one x86 minps: a NaN in a stays). */
  f32x4Pmin(): this { return this.simd(0xea); }
  /** v128.bitselect: pops mask, b, a; bits of a where the mask is 1, of b elsewhere. */
  v128Bitselect(): this { return this.simd(0x52); }
  /** f32x4.demote_f64x2_zero: the two f64 lanes rounded to f32 in lanes 0 and 1, zeros above. */
  f32x4DemoteF64x2Zero(): this { return this.simd(0x5e); }
  /** f64x2.promote_low_f32x4: f32 lanes 0 and 1 as two f64 lanes. */
  f64x2PromoteLowF32x4(): this { return this.simd(0x5f); }
  f64x2Nearest(): this { return this.simd(0x94); }
  f32x4Abs(): this { return this.simd(0xe0); }
  f32x4Sub(): this { return this.simd(0xe5); }
  /** f64x2.gt: all ones in each lane where a > b (false for NaN). */
  f64x2Gt(): this { return this.simd(0x4a); }
  f64x2Add(): this { return this.simd(0xf0); }
  f64x2Sub(): this { return this.simd(0xf1); }
  f64x2Mul(): this { return this.simd(0xf2); }

  // --- SIMD for the elementwise activation kernels (gelu-kernel.ts, simd-exp.ts) ---------
  f32x4Le(): this { return this.simd(0x45); }
  f32x4Lt(): this { return this.simd(0x43); }
  f32x4Nearest(): this { return this.simd(0x6a); }
  f32x4Neg(): this { return this.simd(0xe1); }
  f32x4Div(): this { return this.simd(0xe7); }
  /** f32x4.min / max: NaN in either lane gives NaN. */
  f32x4Min(): this { return this.simd(0xe8); }
  f32x4Max(): this { return this.simd(0xe9); }
  /** i32x4.trunc_sat_f32x4_s: each lane truncated to an i32 (NaN → 0, saturating). */
  i32x4TruncSatF32x4S(): this { return this.simd(0xf8); }
  /** i32x4.shl: pops the shift (an i32), then the vector. */
  i32x4Shl(): this { return this.simd(0xab); }
  i32x4Add(): this { return this.simd(0xae); }
  /** i32x4.splat: one i32 in all four lanes. */
  i32x4Splat(): this { return this.simd(0x11); }

  // --- SIMD for the optimizer kernels (optimizer-kernel.ts): float64 lanes -------------
  /** f64x2.splat: one f64 (a scalar param) in both lanes. */
  f64x2Splat(): this { return this.simd(0x14); }
  f64x2Sqrt(): this { return this.simd(0xef); }
  f64x2Div(): this { return this.simd(0xf3); }

  // --- SIMD (prefix 0xFD, then the opcode as unsigned LEB128) ------------------------
  // Memory operands: alignment as log2 bytes (a hint only), then a constant byte offset.
  /** v128.load: 16 bytes at address + offset. */
  v128Load(offset = 0): this { return this.simdMemory(0x00, 4, offset); }
  /** v128.load32_splat: one f32 at address + offset, copied into all four lanes. */
  v128Load32Splat(offset = 0): this { return this.simdMemory(0x09, 2, offset); }
  /** v128.store: pops value, then address; writes 16 bytes at address + offset. */
  v128Store(offset = 0): this { return this.simdMemory(0x0b, 4, offset); }
  /** v128.const with all 16 bytes zero (= f32x4(0, 0, 0, 0)). */
  v128Zero(): this { return this.simd(0x0c, ...new Array<number>(16).fill(0)); }
  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Mul(): this { return this.simd(0xe6); }
  /**
   * f32x4.relaxed_madd (relaxed-SIMD proposal): pops c, b, a; pushes a·b + c, fused
   * (one rounding) or not, as the engine's hardware does it.
   */
  f32x4RelaxedMadd(): this { return this.simd(0x105); }
  /** f64x2.relaxed_madd: as f32x4.relaxed_madd, on two f64. */
  f64x2RelaxedMadd(): this { return this.simd(0x107); }

  /** The body's bytes: size, local declarations (run-length by type), code, `end`. */
  encode(): number[] {
    const runs: number[][] = [];
    for (const type of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[1] === type) last[0]++;
      else runs.push([1, type]);
    }
    const locals = encodeVector(runs.map(([count, type]) => [...unsignedLeb128(count), type]));
    const body = [...locals, ...this.code, 0x0b];
    return [...unsignedLeb128(body.length), ...body];
  }

  private op(...bytes: number[]): this {
    for (const byte of bytes) this.code.push(byte);
    return this;
  }

  /** A SIMD instruction: the 0xFD prefix, the opcode as unsigned LEB128, its immediates. */
  private simd(opcode: number, ...immediates: number[]): this {
    return this.op(0xfd, ...unsignedLeb128(opcode), ...immediates);
  }

  private simdMemory(opcode: number, alignLog2: number, offset: number): this {
    return this.simd(opcode, ...unsignedLeb128(alignLog2), ...unsignedLeb128(offset));
  }
}

export interface ExportedFunction {
  name: string;
  body: FunctionBody;
}

export interface ModuleOptions {
  /** Import one memory as env.memory with this many 64 KiB pages at least. */
  importMemoryPages?: number;
  /**
   * Declare the imported memory shared (threads proposal) with this many pages at most:
   * a shared memory must have a maximum, and the one imported must match both.
   */
  sharedMemoryMaxPages?: number;
}

/** A module whose functions are all exported; each gets its own function type. */
export function encodeModule(functions: ExportedFunction[], options: ModuleOptions = {}): Uint8Array<ArrayBuffer> {
  const magicAndVersion = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types = encodeVector(
    functions.map(({ body }) => [0x60, ...encodeVector(body.params.map((t) => [t])), ...encodeVector(body.results.map((t) => [t]))]),
  );
  const sections = [...encodeSection(1, types)];
  if (options.importMemoryPages !== undefined) {
    // kind 0x02 = memory; limits 0x00 = a minimum only (the memory may grow freely),
    // 0x03 = shared, with a minimum and a maximum.
    const min = unsignedLeb128(options.importMemoryPages);
    const limits = options.sharedMemoryMaxPages === undefined ? [0x00, ...min] : [0x03, ...min, ...unsignedLeb128(options.sharedMemoryMaxPages)];
    const memory = [...encodeName('env'), ...encodeName('memory'), 0x02, ...limits];
    sections.push(...encodeSection(2, encodeVector([memory])));
  }
  sections.push(...encodeSection(3, encodeVector(functions.map((_, i) => unsignedLeb128(i)))));
  // kind 0x00 = function; function indices start after imported functions (none here).
  sections.push(...encodeSection(7, encodeVector(functions.map(({ name }, i) => [...encodeName(name), 0x00, ...unsignedLeb128(i)]))));
  sections.push(...encodeSection(10, encodeVector(functions.map(({ body }) => body.encode()))));
  return new Uint8Array([...magicAndVersion, ...sections]);
}
