// Helper threads for the SIMD matmul: Workers that share the kernel's WebAssembly
// memory (a shared memory over a SharedArrayBuffer) and run the calls the main thread
// hands them, while the main thread does its own share of the same product. The matmul
// stays a synchronous call: run() returns only when every helper has finished.
//
// Where they exist:
//  - Node: always (worker_threads, reached through process.getBuiltinModule so that the
//    browser bundle never imports a Node module; Node ≥ 20.16). Once a helper is ready
//    it is unref'd: a sleeping helper never keeps the process alive.
//  - A page: only when it is cross-origin isolated (COOP/COEP headers), the condition for
//    SharedArrayBuffer; elsewhere helperThreadsAvailable() is false and the matmul runs
//    on the calling thread alone, unchanged.
//
// Waiting: helpers sleep in Atomics.wait until their slot's generation changes. The main
// thread sleeps in Atomics.wait too where it may (Node, any worker); a page's main thread
// may not block, so there it spins on Atomics.load for the few milliseconds a product
// takes.
//
// A helper starts asynchronously (a fresh JavaScript isolate: 50-400 ms here), and the
// main thread never waits for one to start: run() only hands work to helpers that have
// said they are ready, so the first products after start-up simply use fewer threads.
// whenReady() resolves once all of them are.

import { BROWSER_HELPER_SOURCE, CONTROL, MAX_ARGS, MAX_CALLS, NODE_HELPER_SOURCE, type HelperMessage, type HelperSetup } from './helper-thread-source';

/** One exported function call: which export (an index into exportNames) and its i32 arguments. */
export interface HelperCall {
  fn: number;
  args: number[];
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
  const page = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown; Blob?: unknown; URL?: { createObjectURL?: unknown } };
  return page.crossOriginIsolated === true && typeof page.Worker === 'function' && typeof page.URL?.createObjectURL === 'function';
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
  private lastFailure = '';
  private closed = false;

  /**
   * Starts `count` helpers on `module`, instantiated on `memory` (which must be shared).
   * Call helperThreadsAvailable() first.
   */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, readonly count: number, exportNames: string[]) {
    if (!(memory.buffer instanceof SharedArrayBuffer)) throw new Error('HelperThreads: the wasm memory must be shared (new WebAssembly.Memory({ shared: true, ... }))');
    const control = new SharedArrayBuffer(4 * (CONTROL.FIRST_SLOT + count * CONTROL.SLOT_INTS));
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
            reject(new Error(`matmul helper thread ${slot + 1} of ${count} failed to start: ${error.message}`));
          });
        }),
      );
      worker.post({ module, memory, control, slot, exportNames } satisfies HelperSetup);
    }
    // A helper that never starts is simply never used; whenReady() reports why.
    for (const s of this.started) s.catch(() => {});
  }

  /** Resolves when every helper can take work; rejects if one failed to start. */
  async whenReady(): Promise<void> {
    await Promise.all(this.started);
  }

  /** Slots of the helpers that can take work now (no waiting). */
  readySlots(): number[] {
    const slots: number[] = [];
    if (this.closed) return slots;
    for (let slot = 0; slot < this.count; slot++) {
      if (Atomics.load(this.control, this.at(slot) + CONTROL.READY) === 1) slots.push(slot);
    }
    return slots;
  }

  /**
   * Hands jobs[i] to the helper in slot slots[i], runs `own` on this thread meanwhile,
   * and returns once every helper has finished (also when `own` throws: the helpers
   * write into the same memory, so nothing may read it before they are done).
   */
  run(slots: number[], jobs: HelperCall[][], own: () => void): void {
    const control = this.control;
    Atomics.store(control, CONTROL.FAILED, 0);
    Atomics.store(control, CONTROL.PENDING, jobs.length);
    jobs.forEach((calls, i) => {
      if (calls.length > MAX_CALLS) throw new Error(`HelperThreads.run: at most ${MAX_CALLS} calls per job, got ${calls.length}`);
      const slot = this.at(slots[i]);
      calls.forEach(({ fn, args }, c) => {
        if (args.length > MAX_ARGS) throw new Error(`HelperThreads.run: at most ${MAX_ARGS} arguments per call, got ${args.length}`);
        const at = slot + CONTROL.FIRST_CALL + c * CONTROL.CALL_INTS;
        control[at] = fn;
        control[at + 1] = args.length;
        control.set(args, at + 2);
      });
      control[slot + CONTROL.CALLS] = calls.length;
      Atomics.add(control, slot + CONTROL.GENERATION, 1);
      Atomics.notify(control, slot + CONTROL.GENERATION);
    });
    try {
      own();
    } finally {
      for (let pending = Atomics.load(control, CONTROL.PENDING); pending !== 0; pending = Atomics.load(control, CONTROL.PENDING)) {
        if (this.blocking) Atomics.wait(control, CONTROL.PENDING, pending);
      }
    }
    const failed = Atomics.load(control, CONTROL.FAILED);
    if (failed !== 0) {
      throw new Error(`matmul helper thread ${failed} of ${this.count} failed${this.lastFailure ? `: ${this.lastFailure}` : ' (its message follows on the event loop)'}`);
    }
  }

  /** Ends every helper (they leave their loop, then are terminated); resolves when all have ended. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (let slot = 0; slot < this.count; slot++) {
      const at = this.at(slot);
      this.control[at + CONTROL.CALLS] = -1;
      Atomics.add(this.control, at + CONTROL.GENERATION, 1);
      Atomics.notify(this.control, at + CONTROL.GENERATION);
    }
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

  private at(slot: number): number {
    return CONTROL.FIRST_SLOT + slot * CONTROL.SLOT_INTS;
  }
}
