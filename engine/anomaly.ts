// gs.detectAnomaly(fn): find the first op whose forward or backward produced NaN or
// Inf, and say which op it was, the shapes of its inputs and the line of user code
// that called it.
//
// How, honestly: the check needs the values, and reading values back is asynchronous
// on WebGPU. So there are two paths, chosen per tensor:
//  - Storage that lives in host memory (the CPU backends: Backend.hostValues) is checked
//    synchronously, right after the op ran: the op itself throws an AnomalyError, and
//    nothing after it runs.
//  - Storage on a device (WebGPU) cannot be read without waiting. Each op's output (and
//    each gradient a backward rule produces) is copied on the device, which enqueues a
//    copy and does not wait; when fn has finished, the copies are read back in the order
//    the ops ran and the first non-finite one is reported. The promise rejects with the
//    same AnomalyError, but the ops after the culprit did run (the check is after the
//    fact), and the copies cost one extra buffer per op while fn runs.
// Either way detectAnomaly returns a promise: await it.
//
// While it is active, every op records a stack trace (slow; this is a debugging tool).
// Ops that backward rules run internally are not reported on their own: the backward
// step is checked as a whole, under the name of the op whose gradient it is.

import type { Backend, Storage } from './backend';
import { observeTape, type TapeNode } from './autograd';
import { formatShape } from './shape';
import type { Tensor } from './tensor';

export class AnomalyError extends Error {
  constructor(
    /** The op's name as the tape knows it ('log', 'matmul', 'linear', ...). */
    readonly op: string,
    /** Whether the op's forward produced the value, or its gradient rule. */
    readonly phase: 'forward' | 'backward',
    readonly inputShapes: number[][],
    /** The first stack line outside gradscope: where user code called the op. */
    readonly location: string,
    /** What was found: 'NaN', 'Infinity' or '-Infinity', and at which flat index. */
    readonly found: { value: number; index: number; inputIndex?: number },
    afterTheFact: boolean,
  ) {
    const what = Number.isNaN(found.value) ? 'NaN' : String(found.value);
    const where = phase === 'forward'
      ? `op '${op}' produced ${what}`
      : `the backward of op '${op}' produced ${what} in the gradient of input ${found.inputIndex}`;
    super(
      `detectAnomaly: ${where} at flat index ${found.index}; input shapes ${inputShapes.map((s) => formatShape(s)).join(', ') || '(none)'}; ` +
        `called at ${location}${afterTheFact ? ' (found after the fact: this backend is read back asynchronously, so later ops ran too)' : ''}`,
    );
    this.name = 'AnomalyError';
  }
}

interface PendingCheck {
  backend: Backend;
  copy: Storage;
  size: number;
  report: (found: { value: number; index: number }) => AnomalyError;
}

let active: { pending: PendingCheck[] } | null = null;

/**
 * Run fn (sync or async) with anomaly detection on. Resolves to fn's result; rejects
 * with an AnomalyError naming the first op whose forward or backward gave NaN or Inf.
 * Nested calls share the outermost one.
 */
export async function detectAnomaly<T>(fn: () => T | Promise<T>): Promise<T> {
  if (active) return fn();
  const state = { pending: [] as PendingCheck[] };
  active = state;
  const stacks = new WeakMap<TapeNode, string>();
  // A backward pass runs ops of its own (the rules, summing gradients): those are
  // checked as the rule's result, not as user ops.
  let insideBackward = false;

  const check = (t: Tensor, report: (found: { value: number; index: number }) => AnomalyError) => {
    const host = t.backend.hostValues?.(t.storage);
    if (host) {
      const found = firstNonFinite(host, t.size);
      if (found) throw report(found);
    } else {
      state.pending.push({ backend: t.backend, copy: t.backend.copy(t.storage, t.size), size: t.size, report });
    }
  };
  const afterTheFact = (t: Tensor) => !t.backend.hostValues;

  const stop = observeTape({
    recorded(output, node) {
      if (insideBackward) return;
      const location = callerLocation();
      stacks.set(node, location);
      const shapes = node.inputs.map((x) => [...x.shape]);
      check(output, (found) => new AnomalyError(node.op, 'forward', shapes, location, found, afterTheFact(output)));
    },
    backward(phase) {
      insideBackward = phase === 'start';
    },
    inputGradients(_output, node, grads) {
      const location = stacks.get(node) ?? 'an op recorded before detectAnomaly started';
      const shapes = node.inputs.map((x) => [...x.shape]);
      grads.forEach((g, inputIndex) => {
        if (!g || g.disposed) return;
        check(g, (found) => new AnomalyError(node.op, 'backward', shapes, location, { ...found, inputIndex }, afterTheFact(g)));
      });
    },
  });

  const releaseAll = () => {
    for (const p of state.pending) p.backend.release(p.copy);
    state.pending = [];
  };
  try {
    const result = await fn();
    // After the fact: the device copies, read in the order the ops ran.
    for (const p of state.pending) {
      p.backend.flush();
      const values = await p.backend.read(p.copy, p.size);
      const found = firstNonFinite(values, p.size);
      if (found) throw p.report(found);
    }
    return result;
  } finally {
    stop();
    releaseAll();
    active = null;
  }
}

function firstNonFinite(values: ArrayLike<number>, size: number): { value: number; index: number } | null {
  for (let i = 0; i < size; i++) {
    if (!Number.isFinite(values[i])) return { value: values[i], index: i };
  }
  return null;
}

// Frames inside gradscope itself are skipped: the engine and nn sources next to this
// file, or the bundle this module was built into.
const ownFile = stripScheme(import.meta.url);
const packageRoot = ownFile.replace(/\/engine\/anomaly\.[tj]s$/, '/');
const libraryFolders = ['engine/', 'nn/', 'kernels/', 'index.ts', 'index.js', 'dist/'];

function stripScheme(url: string): string {
  return url.replace(/^file:\/\//, '');
}

function isLibraryFrame(frame: string): boolean {
  if (frame.includes(ownFile) || frame.includes('node_modules') || frame.includes('node:internal')) return true;
  const at = frame.indexOf(packageRoot);
  return at >= 0 && libraryFolders.some((f) => frame.startsWith(f, at + packageRoot.length));
}

/** The first stack frame outside gradscope, e.g. 'train (/home/me/train.ts:12:5)'. */
function callerLocation(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(1).map((l) => l.trim().replace(/^at /, '')).filter(Boolean);
  const user = lines.find((l) => !isLibraryFrame(stripScheme(l)));
  return user ?? lines[lines.length - 1] ?? '(no stack available)';
}
