// Helper threads for the CPU kernels (the SIMD matmul, STAF's sine sums): Workers that
// share the kernels' WebAssembly memory (a shared memory over a SharedArrayBuffer) and
// take chunks of a job (pack these panels, multiply them) while the calling thread takes
// chunks of the same job. A kernel stays a synchronous call: run() returns only when
// every chunk is done. One set of helpers can run the exports of several modules, so
// that every threaded kernel of a process shares one helper per core (cpu-threads.ts):
// two sets would compete for the same cores.
//
// Where they exist:
//  - Node: always (worker_threads, reached through process.getBuiltinModule so that the
//    browser bundle never imports a Node module; Node ≥ 20.16). Once a helper is ready
//    it is unref'd: a sleeping helper never keeps the process alive.
//  - A page: only when it is cross-origin isolated (COOP/COEP headers), the condition for
//    SharedArrayBuffer; elsewhere helperThreadsAvailable() is false and the matmul runs
//    on the calling thread alone, unchanged.
//
// Chunks are claimed, not assigned: the calling thread publishes a product's chunks,
// wakes the helpers, and claims chunks itself until none is left. A helper that wakes
// late (its core busy with another process: the machines this runs on are shared), or
// has not started yet (a fresh JavaScript isolate takes 50-400 ms here), simply takes
// fewer chunks or none, so a product is never slower than the calling thread alone by
// more than about one chunk. Which thread computes a chunk never changes its values.
//
// Waiting: helpers spin for up to spinMicroseconds, then sleep in Atomics.wait until the
// generation changes (helper-thread-source.ts says why). The calling thread waits for
// the chunks still running the same way: a spin, then Atomics.wait where it may (Node,
// any worker); a page's main thread may not block, so there it spins on Atomics.load.

import {
  BROWSER_HELPER_SOURCE,
  CONTROL,
  MAX_ARGS,
  MAX_CALLS,
  MAX_CHUNKS,
  NODE_HELPER_SOURCE,
  type HelperMessage,
  type HelperSetup,
  type ThreadedModule,
} from './helper-thread-source';

export type { ThreadedModule };

/**
 * How long a thread spins before it sleeps, waiting for the next job (a helper) or for
 * the helpers' last chunks (the calling thread). On the 2-core EPYC VM, SimpleNetwork
 * steps on 2 threads (one process alternating the settings, medians of 16 rounds): 200
 * µs made them 7% faster than sleeping at once (ReLU 3.68 against 3.97 ms, STAF(25)
 * 7.89 against 8.75 ms) for 10-14% more CPU time; 50 µs was 2% slower than 200, 500 and
 * 1000 no faster. Threads spin only where a job has helpers: `--jobs` that fill the
 * cores leave one thread per job, and no helper to spin.
 */
export const DEFAULT_SPIN_MICROSECONDS = 200;

/** One exported function call: which export (an index through every module's exportNames, in order) and its i32 arguments. */
export interface HelperCall {
  fn: number;
  args: number[];
}

/**
 * Helper threads a kernel runner shares with other runners (cpu-threads.ts): `module`
 * is one of those they run, and its exports' calls are numbered from `first`.
 */
export interface SharedHelpers {
  helpers: HelperThreads;
  module: ThreadedModule;
  first: number;
}

/** The helper threads one kernel runner calls on, and how it numbers its calls to them. */
export interface RunnerHelpers {
  /** Threads a big job is split over, the calling one included. */
  threads: number;
  helpers: HelperThreads | null;
  /** The helpers' index of the runner's first export (0 unless they are shared). */
  first: number;
  /** Whether the runner ends them when it closes (not when they are shared). */
  owned: boolean;
}

/**
 * A kernel runner's helpers: the `shared` ones; or, for `threads` above 1, helpers of its
 * own that run `module` on `memory` where they can (a shared memory, helper threads
 * available); or none: one thread.
 */
export function runnerHelpers(shared: SharedHelpers | undefined, threads: number, memory: WebAssembly.Memory, module: ThreadedModule): RunnerHelpers {
  if (shared) return { threads: shared.helpers.count + 1, helpers: shared.helpers, first: shared.first, owned: false };
  const own = threads > 1 && helpersCanRunOn(memory);
  return { threads: own ? threads : 1, helpers: own ? new HelperThreads(memory, threads - 1, [module]) : null, first: 0, owned: true };
}

/** The little of a Worker this file uses, over Node's and the browser's. */
interface HelperWorker {
  post(setup: HelperSetup): void;
  onMessage(listener: (message: HelperMessage) => void): void;
  onError(listener: (error: Error) => void): void;
  /** Resolves once the thread has ended. */
  terminate(): Promise<void>;
  /** From now on the thread does not keep Node's process alive (no-op in a page). */
  unref(): void;
}

interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true }) => {
    postMessage(value: unknown): void;
    on(event: 'message', listener: (value: HelperMessage) => void): void;
    on(event: 'error', listener: (error: Error) => void): void;
    unref(): void;
    terminate(): Promise<number>;
  };
}

interface NodeOs {
  availableParallelism?: () => number;
  cpus(): unknown[];
}

/** A Node built-in module without importing it (undefined outside Node, or in a Node before 20.16). */
function nodeBuiltin<T>(name: string): T | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return process?.getBuiltinModule?.(name) as T | undefined;
}

/** Whether this JavaScript environment can run helper threads on a shared wasm memory. */
export function helperThreadsAvailable(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  if (nodeBuiltin<NodeWorkerThreads>('node:worker_threads')) return true;
  const page = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown; URL?: { createObjectURL?: unknown } };
  return page.crossOriginIsolated === true && typeof page.Worker === 'function' && typeof page.URL?.createObjectURL === 'function';
}

/** Whether helper threads can run kernels on `memory`: a shared memory, where this environment has helpers. */
export function helpersCanRunOn(memory: WebAssembly.Memory | undefined): boolean {
  return memory !== undefined && memory.buffer instanceof SharedArrayBuffer && helperThreadsAvailable();
}

/** Cores this process may use: Node's availableParallelism, a page's hardwareConcurrency. */
export function availableCores(): number {
  const os = nodeBuiltin<NodeOs>('node:os');
  if (os) return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const navigator = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, navigator?.hardwareConcurrency ?? 1);
}

/** Whether this thread may block in Atomics.wait (a page's main thread may not). */
function mayBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

let liveHelpers = 0;

/** Helper threads started and not yet ended, in this thread (tests check that close() ends them). */
export function liveHelperThreads(): number {
  return liveHelpers;
}

function startWorker(): HelperWorker {
  const threads = nodeBuiltin<NodeWorkerThreads>('node:worker_threads');
  if (threads) {
    const worker = new threads.Worker(NODE_HELPER_SOURCE, { eval: true });
    return {
      post: (setup) => worker.postMessage(setup),
      onMessage: (listener) => worker.on('message', listener),
      onError: (listener) => worker.on('error', listener),
      terminate: async () => void (await worker.terminate()),
      unref: () => worker.unref(),
    };
  }
  const url = URL.createObjectURL(new Blob([BROWSER_HELPER_SOURCE], { type: 'text/javascript' }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  return {
    post: (setup) => worker.postMessage(setup),
    onMessage: (listener) => worker.addEventListener('message', (event) => listener(event.data as HelperMessage)),
    onError: (listener) => worker.addEventListener('error', (event) => listener(new Error(event.message))),
    terminate: async () => worker.terminate(),
    unref: () => {},
  };
}

export class HelperThreads {
  private readonly control: Int32Array;
  private readonly workers: HelperWorker[] = [];
  private readonly started: Promise<void>[] = [];
  private readonly blocking = mayBlock();
  /** Numbers the products in the claim word (15 bits, wrapping). */
  private epoch = 0;
  private lastFailure = '';
  private closed = false;

  /**
   * Starts `count` helpers that run `modules`, instantiated on `memory` (which must be
   * shared). Call helperThreadsAvailable() first.
   */
  constructor(memory: WebAssembly.Memory, readonly count: number, modules: readonly ThreadedModule[], readonly spinMicroseconds = DEFAULT_SPIN_MICROSECONDS) {
    if (!(memory.buffer instanceof SharedArrayBuffer)) throw new Error('HelperThreads: the wasm memory must be shared (new WebAssembly.Memory({ shared: true, ... }))');
    const control = new SharedArrayBuffer(4 * (CONTROL.FIRST_CHUNK + MAX_CHUNKS * CONTROL.CHUNK_INTS));
    this.control = new Int32Array(control);
    for (let slot = 0; slot < count; slot++) {
      const worker = startWorker();
      liveHelpers++;
      this.workers.push(worker);
      this.started.push(
        new Promise((resolve, reject) => {
          // Starting keeps the process alive (so that awaiting whenReady() can finish);
          // a helper that is ready, or failed, must not.
          worker.onMessage((message) => {
            if (message.type === 'ready') {
              worker.unref();
              resolve();
            } else this.lastFailure = message.message;
          });
          worker.onError((error) => {
            worker.unref();
            this.lastFailure = error.message;
            reject(new Error(`CPU helper thread ${slot + 1} of ${count} failed to start: ${error.message}`));
          });
        }),
      );
      worker.post({ modules, memory, control, slot } satisfies HelperSetup);
    }
    // A helper that never starts simply never claims a chunk; whenReady() reports why.
    for (const s of this.started) s.catch(() => {});
  }

  /** Resolves when every helper can take work; rejects if one failed to start. */
  async whenReady(): Promise<void> {
    await Promise.all(this.started);
  }

  /**
   * Runs every chunk (a list of calls) once: on this thread through `call`, and on
   * whichever helpers wake in time. Returns once all are done (also when a call
   * threw: the helpers write into the same memory, so nothing may read it before they
   * are done), with the number of threads that ran at least one chunk.
   */
  run(chunks: HelperCall[][], call: (c: HelperCall) => void): number {
    if (chunks.length > MAX_CHUNKS) throw new Error(`HelperThreads.run: at most ${MAX_CHUNKS} chunks, got ${chunks.length}`);
    const control = this.control;
    // Between products the claim word says every chunk is taken, so no thread reads
    // the table while it is rewritten.
    chunks.forEach((calls, index) => {
      if (calls.length > MAX_CALLS) throw new Error(`HelperThreads.run: at most ${MAX_CALLS} calls per chunk, got ${calls.length}`);
      const at = CONTROL.FIRST_CHUNK + index * CONTROL.CHUNK_INTS;
      control[at] = calls.length;
      calls.forEach(({ fn, args }, c) => {
        if (args.length > MAX_ARGS) throw new Error(`HelperThreads.run: at most ${MAX_ARGS} arguments per call, got ${args.length}`);
        const callAt = at + 1 + c * CONTROL.CALL_INTS;
        control[callAt] = fn;
        control[callAt + 1] = args.length;
        control.set(args, callAt + 2);
      });
    });
    Atomics.store(control, CONTROL.DONE, 0);
    Atomics.store(control, CONTROL.PARTICIPANTS, 0);
    Atomics.store(control, CONTROL.FAILED, 0);
    control[CONTROL.SPIN_MICROSECONDS] = this.spinMicroseconds;
    this.epoch = (this.epoch + 1) & 0x7fff;
    Atomics.store(control, CONTROL.CLAIM, (this.epoch << 16) | (chunks.length << 8));
    if (!this.closed) {
      Atomics.add(control, CONTROL.GENERATION, 1);
      Atomics.notify(control, CONTROL.GENERATION);
    }

    // This thread claims chunks too (the same rules as the helpers' loop).
    let failure: unknown;
    let ran = false;
    for (;;) {
      const word = Atomics.load(control, CONTROL.CLAIM);
      const chunk = word & 0xff;
      if (chunk >= ((word >> 8) & 0xff)) break;
      if (Atomics.compareExchange(control, CONTROL.CLAIM, word, word + 1) !== word) continue;
      ran = true;
      try {
        for (const c of chunks[chunk]) call(c);
      } catch (error) {
        failure ??= error;
      }
      Atomics.add(control, CONTROL.DONE, 1);
    }
    if (ran) Atomics.add(control, CONTROL.PARTICIPANTS, 1);
    // Wait for the chunks the helpers are still running: spin (reading the clock every 64 turns), then sleep.
    const until = performance.now() + control[CONTROL.SPIN_MICROSECONDS] / 1000;
    for (let turn = 1, done = Atomics.load(control, CONTROL.DONE); done !== chunks.length; done = Atomics.load(control, CONTROL.DONE), turn++) {
      if (this.blocking && (turn & 63) === 0 && performance.now() >= until) Atomics.wait(control, CONTROL.DONE, done);
    }
    if (failure !== undefined) throw failure;
    const failed = Atomics.load(control, CONTROL.FAILED);
    if (failed !== 0) {
      throw new Error(`CPU helper thread ${failed} of ${this.count} failed${this.lastFailure ? `: ${this.lastFailure}` : ' (its message follows on the event loop)'}`);
    }
    return Atomics.load(control, CONTROL.PARTICIPANTS);
  }

  /** Ends every helper (they leave their loop, then are terminated); resolves when all have ended. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control, CONTROL.QUIT, 1);
    Atomics.add(this.control, CONTROL.GENERATION, 1);
    Atomics.notify(this.control, CONTROL.GENERATION);
    await Promise.all(
      this.workers.map(async (worker) => {
        try {
          await worker.terminate();
        } finally {
          liveHelpers--;
        }
      }),
    );
  }
}
