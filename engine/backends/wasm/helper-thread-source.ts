// The code a matmul helper thread runs, as JavaScript source text: a Worker in a page
// (from a Blob URL) or a Node worker_threads Worker (eval), so the engine needs no
// separate file to ship beside its bundles. It is deliberately dumb: it instantiates the
// kernel module on the shared wasm memory, then, each time the main thread bumps its
// generation counter, calls the exported functions listed in its slot of the control
// block (packing, then the kernel over its panels), and counts itself done. It knows
// nothing about matrices; helper-threads.ts writes the calls.

/** Layout of the control block (an Int32Array over a SharedArrayBuffer). */
export const CONTROL = {
  /** Helpers still working on the current product; the last one to finish notifies. */
  PENDING: 0,
  /** 1 + the slot index of a helper whose call threw; 0 while none has. */
  FAILED: 1,
  /** Where slot 0 starts; one slot per helper, SLOT_INTS apart (128 bytes: no shared cache lines). */
  FIRST_SLOT: 32,
  SLOT_INTS: 32,
  // Within a slot:
  /** Bumped by the main thread for each job; the helper sleeps while it is unchanged. */
  GENERATION: 0,
  /** Set to 1 by the helper once it can take work. */
  READY: 1,
  /** Calls in this job, or -1: leave. */
  CALLS: 2,
  /** The calls, CALL_INTS each: function index, argument count, then the arguments. */
  FIRST_CALL: 3,
  CALL_INTS: 12,
} as const;

/** Most calls one job holds, and most arguments per call. */
export const MAX_CALLS = Math.floor((CONTROL.SLOT_INTS - CONTROL.FIRST_CALL) / CONTROL.CALL_INTS);
export const MAX_ARGS = CONTROL.CALL_INTS - 2;

/** What the main thread posts once to each helper. */
export interface HelperSetup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** Index of this helper's slot. */
  slot: number;
  /** The exports a call's function index refers to, in order. */
  exportNames: string[];
}

/** Messages a helper posts back: only for the main thread's event loop (readiness, a failure's text). */
export type HelperMessage = { type: 'ready' } | { type: 'failed'; message: string };

const serve = `
function serve(setup, post) {
  const C = ${JSON.stringify(CONTROL)};
  const exports = new WebAssembly.Instance(setup.module, { env: { memory: setup.memory } }).exports;
  const functions = setup.exportNames.map((name) => exports[name]);
  const control = new Int32Array(setup.control);
  const slot = C.FIRST_SLOT + setup.slot * C.SLOT_INTS;
  Atomics.store(control, slot + C.READY, 1);
  post({ type: 'ready' });
  let seen = 0;
  for (;;) {
    while (Atomics.load(control, slot + C.GENERATION) === seen) Atomics.wait(control, slot + C.GENERATION, seen);
    seen = Atomics.load(control, slot + C.GENERATION);
    const calls = control[slot + C.CALLS];
    if (calls < 0) return;
    try {
      for (let i = 0, at = slot + C.FIRST_CALL; i < calls; i++, at += C.CALL_INTS) {
        functions[control[at]](...control.subarray(at + 2, at + 2 + control[at + 1]));
      }
    } catch (error) {
      Atomics.compareExchange(control, C.FAILED, 0, setup.slot + 1);
      post({ type: 'failed', message: String((error && error.stack) || error) });
    }
    // The last helper to finish wakes the main thread (Node: it sleeps in Atomics.wait).
    if (Atomics.sub(control, C.PENDING, 1) === 1) Atomics.notify(control, C.PENDING);
  }
}
`;

/** The source of a Node worker_threads Worker (run with eval: true, as CommonJS). */
export const NODE_HELPER_SOURCE = `${serve}
const { parentPort } = require('node:worker_threads');
parentPort.once('message', (setup) => {
  serve(setup, (message) => parentPort.postMessage(message));
  parentPort.close(); // told to leave: let the thread end
});
`;

/** The source of a page's Worker (loaded from a Blob URL). */
export const BROWSER_HELPER_SOURCE = `${serve}
self.onmessage = (event) => {
  self.onmessage = null;
  serve(event.data, (message) => self.postMessage(message));
  self.close();
};
`;
