// The loop every elementwise activation kernel shares (gelu-kernel.ts, sigmoid-kernel.ts),
// emitted with wasm-encoder.ts: four float32 elements per step, addresses in bytes,
// `groups` groups of four (the caller pads).
//
//   forward(x, out, groups):      out = f(x)
//   backward(x, dy, dx, groups):  dx = dy · f′(x)
//
// A kernel says only how to push f(x) and f′(x) for the four lanes of a local x.

import { encodeModule, FunctionBody, I32, V128 } from './wasm-encoder';
import { doCounting } from './wasm-loops';

export const FORWARD_EXPORT = 'forward';
export const BACKWARD_EXPORT = 'backward';

/** One activation's lanes: each pushes one v128 computed from the v128 local x. */
export interface ElementwiseLanes {
  value(x: number): void;
  derivative(x: number): void;
}

/** The module: `lanes` declares its locals on the function body it is given. */
export function elementwiseModuleBytes(lanes: (f: FunctionBody) => ElementwiseLanes): Uint8Array<ArrayBuffer> {
  return encodeModule(
    [
      { name: FORWARD_EXPORT, body: emitLoop(false, lanes) },
      { name: BACKWARD_EXPORT, body: emitLoop(true, lanes) },
    ],
    { importMemoryPages: 1 },
  );
}

function emitLoop(backward: boolean, lanes: (f: FunctionBody) => ElementwiseLanes): FunctionBody {
  const f = new FunctionBody(backward ? [I32, I32, I32, I32] : [I32, I32, I32]);
  const [xAt, dyAt, outAt, groups] = backward ? [0, 1, 2, 3] : [0, -1, 1, 2];
  const x = f.local(V128);
  const i = f.local(I32);
  const body = lanes(f);
  f.i32Const(0).localSet(i);
  doCounting(f, i, groups, () => {
    f.localGet(outAt);
    f.localGet(xAt).v128Load().localSet(x);
    if (backward) {
      f.localGet(dyAt).v128Load();
      body.derivative(x);
      f.f32x4Mul();
      f.localGet(dyAt).i32Const(16).i32Add().localSet(dyAt);
    } else {
      body.value(x);
    }
    f.v128Store();
    f.localGet(xAt).i32Const(16).i32Add().localSet(xAt);
    f.localGet(outAt).i32Const(16).i32Add().localSet(outAt);
  });
  return f;
}
