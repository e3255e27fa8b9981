// The WebAssembly encoder behind the CPU backend's SIMD kernel: LEB128 against the
// spec's examples and edge values, and modules that the engine accepts and runs.
import { describe, expect, it } from 'vitest';
import { encodeModule, FunctionBody, I32, signedLeb128, unsignedLeb128 } from '../../engine/backends/wasm/wasm-encoder';
import { simdMatmulModuleBytes } from '../../engine/backends/wasm/simd-matmul-kernel';
import { simdProbeModuleBytes } from '../../engine/backends/wasm/simd-support';

describe('LEB128', () => {
  it('unsigned: the spec/Wikipedia example and byte boundaries', () => {
    expect(unsignedLeb128(0)).toEqual([0x00]);
    expect(unsignedLeb128(127)).toEqual([0x7f]);
    expect(unsignedLeb128(128)).toEqual([0x80, 0x01]);
    expect(unsignedLeb128(228)).toEqual([0xe4, 0x01]); // f32x4.add's SIMD opcode
    expect(unsignedLeb128(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(unsignedLeb128(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(() => unsignedLeb128(-1)).toThrow(/integer in \[0, 2\^32\)/);
  });

  it('signed: sign bit 6 decides when to stop', () => {
    expect(signedLeb128(0)).toEqual([0x00]);
    expect(signedLeb128(63)).toEqual([0x3f]);
    expect(signedLeb128(64)).toEqual([0xc0, 0x00]);
    expect(signedLeb128(-1)).toEqual([0x7f]);
    expect(signedLeb128(-64)).toEqual([0x40]);
    expect(signedLeb128(-65)).toEqual([0xbf, 0x7f]);
    expect(signedLeb128(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(signedLeb128(-0x80000000)).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
  });
});

describe('encodeModule', () => {
  it('emits a module that runs: (x, y) => x · y + 7', () => {
    const f = new FunctionBody([I32, I32], [I32]);
    f.localGet(0).localGet(1).i32Mul().i32Const(7).i32Add();
    const bytes = encodeModule([{ name: 'f', body: f }]);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    expect((instance.exports.f as (x: number, y: number) => number)(6, -9)).toBe(-47);
  });

  it('the SIMD probe and every kernel tile validate', () => {
    expect(WebAssembly.validate(simdProbeModuleBytes())).toBe(true);
    for (const rows of [1, 4, 6]) {
      for (const vectors of [1, 2, 3]) {
        for (const unroll of [1, 2]) expect(WebAssembly.validate(simdMatmulModuleBytes({ rows, vectors, unroll }))).toBe(true);
      }
    }
  });
});
