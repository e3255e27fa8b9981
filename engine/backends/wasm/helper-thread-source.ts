// The code a CPU helper thread runs, as JavaScript source text: a Worker in a page (from
// a Blob URL) or a Node worker_threads Worker (eval), so the engine needs no separate
// file to ship beside its bundles. It knows nothing about matrices or sines: it
// instantiates the kernel modules on the shared wasm memory, waits until the main thread
// publishes a job, then claims the job's chunks one at a time (each a short list of
// calls to the modules' exports: pack these panels, multiply them) until none is left,
// and waits again. helper-threads.ts writes the chunks and claims them too, with the
// same rules.
//
// Waiting: first a spin of up to SPIN_MICROSECONDS on the generation word (a training
// step calls one kernel after another, microseconds apart: a helper still spinning takes
// the next job at once, where one asleep takes tens of µs to wake, more on a VM whose
// idle vCPU the host has descheduled), then Atomics.wait.

/** Layout of the control block (an Int32Array over a SharedArrayBuffer). */
export const CONTROL = {
  /** Bumped by the main thread for each product (and to say leave); helpers sleep while it is unchanged. */
  GENERATION: 0,
  /** 1: the helpers must leave. */
  QUIT: 1,
  /**
   * The claim word: product epoch << 16 | chunk count << 8 | next unclaimed chunk. A
   * thread claims chunk `next` by compare-exchanging the word it read for word + 1, so
   * a successful claim is always of the product whose chunks are in the table now.
   */
  CLAIM: 2,
  /** Chunks of the current product finished; the thread that finishes the last notifies. */
  DONE: 3,
  /** Threads that ran at least one chunk of the current product. */
  PARTICIPANTS: 4,
  /** 0, or 1 + the slot of a helper whose call threw. */
  FAILED: 5,
  /** How long a thread spins before it sleeps, in µs (set by the main thread; 0: sleep at once). */
  SPIN_MICROSECONDS: 6,
  /** Where the chunk table starts; chunk i is CHUNK_INTS long: its call count, then the calls. */
  FIRST_CHUNK: 16,
  CHUNK_INTS: 32,
  /** A call: function index, argument count, then the arguments. */
  CALL_INTS: 13,
} as const;

/** Most chunks per product (the count fits the claim word's 8 bits), calls per chunk, arguments per call. */
export const MAX_CHUNKS = 64;
export const MAX_CALLS = Math.floor((CONTROL.CHUNK_INTS - 1) / CONTROL.CALL_INTS);
export const MAX_ARGS = CONTROL.CALL_INTS - 2;

/** A kernel module the helpers run, and which of its exports calls may name. */
export interface ThreadedModule {
  module: WebAssembly.Module;
  exportNames: readonly string[];
}

/** What the main thread posts once to each helper. */
export interface HelperSetup {
  /** A call's function index counts through every module's exportNames, in order. */
  modules: readonly ThreadedModule[];
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** This helper's index (for failure reports). */
  slot: number;
}

/** Messages a helper posts back: only for the main thread's event loop (readiness, a failure's text). */
export type HelperMessage = { type: 'ready' } | { type: 'failed'; message: string };

const serve = `
function serve(setup, post) {
  const C = ${JSON.stringify(CONTROL)};
  const functions = setup.modules.flatMap(({ module, exportNames }) => {
    const exports = new WebAssembly.Instance(module, { env: { memory: setup.memory } }).exports;
    return exportNames.map((name) => exports[name]);
  });
  const control = new Int32Array(setup.control);
  post({ type: 'ready' });
  let seen = 0;
  let joined = -1; // the epoch this helper last counted itself in
  for (;;) {
    // Spin (reading the clock every 64 turns), then sleep.
    const until = performance.now() + control[C.SPIN_MICROSECONDS] / 1000;
    for (let turn = 1; Atomics.load(control, C.GENERATION) === seen && ((turn & 63) !== 0 || performance.now() < until); turn++);
    while (Atomics.load(control, C.GENERATION) === seen) Atomics.wait(control, C.GENERATION, seen);
    seen = Atomics.load(control, C.GENERATION);
    if (Atomics.load(control, C.QUIT) === 1) return;
    for (;;) {
      const word = Atomics.load(control, C.CLAIM);
      const count = (word >> 8) & 0xff;
      const chunk = word & 0xff;
      if (chunk >= count) break;
      if (Atomics.compareExchange(control, C.CLAIM, word, word + 1) !== word) continue;
      if (joined !== word >> 16) {
        joined = word >> 16;
        Atomics.add(control, C.PARTICIPANTS, 1);
      }
      const at = C.FIRST_CHUNK + chunk * C.CHUNK_INTS;
      try {
        for (let i = 0, call = at + 1; i < control[at]; i++, call += C.CALL_INTS) {
          functions[control[call]](...control.subarray(call + 2, call + 2 + control[call + 1]));
        }
      } catch (error) {
        Atomics.compareExchange(control, C.FAILED, 0, setup.slot + 1);
        post({ type: 'failed', message: String((error && error.stack) || error) });
      }
      // The last chunk done wakes the main thread (in Node it sleeps in Atomics.wait).
      if (Atomics.add(control, C.DONE, 1) + 1 === count) Atomics.notify(control, C.DONE);
    }
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
