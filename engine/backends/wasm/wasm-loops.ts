// The two loop shapes the SIMD kernels' emitters share, written once so each kernel's
// emitter reads as its loops' bodies. WebAssembly has no `for`: a loop is a label that
// a branch jumps back to, and these say where the test goes.

import type { FunctionBody } from './wasm-encoder';

/**
 * do { body } while (++counter !== limit): the test at the bottom, so the body runs at
 * least once. The caller sets counter first; limit is a local.
 */
export function doCounting(f: FunctionBody, counter: number, limit: number, body: () => void): void {
  f.loop();
  body();
  f.localGet(counter).i32Const(1).i32Add().localTee(counter);
  f.localGet(limit).i32Ne().brIf(0);
  f.end();
}

/** while (counter < limit) body: the test at the top, so it may run zero times. */
export function whileLessThan(f: FunctionBody, counter: number, limit: () => void, body: () => void): void {
  f.block().loop();
  f.localGet(counter);
  limit();
  f.i32LtU().i32Eqz().brIf(1);
  body();
  f.br(0);
  f.end().end();
}
