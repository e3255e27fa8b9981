// The tape. Every differentiable op that sees an input requiring a gradient records a
// TapeNode on its output: the inputs, and a backward rule mapping the output's
// gradient to the inputs' gradients (the rules sit next to their forwards in ops.ts).
// backward() sorts the graph topologically once, walks it in reverse, accumulates
// gradients of tensors used more than once, stores the leaves' gradients in .grad and
// frees the graph.

import type { Tensor } from './tensor';
import { formatShape, sameShape } from './shape';
import { keep, tidy } from './memory';
import * as untracked from './untracked';

export interface TapeNode {
  /** The op's name, as in ops.ts ('matmul', 'linear', 'activation', ...). */
  op: string;
  inputs: Tensor[];
  /** dL/d(output) → dL/d(input) for each input (null where an input needs none). */
  backward: (grad: Tensor) => (Tensor | null)[];
  /** Intermediates kept only for backward; the node owns and disposes them. */
  saved: Tensor[];
  /** What trace() and debug tools show: activation name and parameters, kernel, ... */
  info: Record<string, unknown>;
}

let gradEnabled = true;

/** Run fn without recording anything on the tape (evaluation, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Listeners told about every recorded node and every gradient computed (trace()). */
export interface TapeObserver {
  recorded?(output: Tensor, node: TapeNode): void;
  gradient?(output: Tensor, node: TapeNode, grad: Tensor): void;
  /** The gradients a node's backward rule produced for its inputs (detectAnomaly checks them). */
  inputGradients?(output: Tensor, node: TapeNode, grads: readonly (Tensor | null)[]): void;
  /** A backward pass starts or ends: ops recorded in between are its own work (trace() hides them). */
  backward?(phase: 'start' | 'end', root: Tensor): void;
}
const observers = new Set<TapeObserver>();
export function observeTape(observer: TapeObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/**
 * Attach a node to `output` if grad mode is on and some input requires a gradient.
 * Returns the output for chaining. `saved` tensors are disposed with the graph.
 */
export function record(
  output: Tensor,
  op: string,
  inputs: Tensor[],
  backward: TapeNode['backward'],
  saved: Tensor[] = [],
  info: Record<string, unknown> = {},
): Tensor {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) {
    for (const t of saved) t.dispose();
    for (const o of observers) o.recorded?.(output, { op, inputs, backward, saved: [], info });
    return output;
  }
  output.requiresGrad = true;
  output.node = { op, inputs, backward, saved: saved.map((t) => keep(t)), info };
  for (const o of observers) o.recorded?.(output, output.node);
  return output;
}

function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative post-order DFS: deep networks must not overflow the JS stack.
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, next] = top;
    const inputs = t.node?.inputs ?? [];
    if (next < inputs.length) {
      top[1]++;
      const child = inputs[next];
      if (!visited.has(child) && child.requiresGrad) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      order.push(t);
      stack.pop();
    }
  }
  return order;
}

export function backward(root: Tensor, gradient: Tensor | undefined, options: { retainGraph?: boolean }): void {
  checkBackward(root, gradient);
  for (const o of observers) o.backward?.('start', root);
  // Every gradient in `pending` was made by this pass, and is freed once passed on,
  // except the caller's own `gradient`.
  const pending = new Map<Tensor, Tensor>([[root, gradient ?? untracked.full(root, root.shape, 1)]]);
  const release = (g: Tensor) => {
    if (g !== gradient) g.dispose();
  };
  const order = topologicalOrder(root);
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    const g = pending.get(t);
    pending.delete(t);
    if (g && t.node) {
      for (const [input, ig] of inputGradients(t, t.node, g)) addTo(pending, input, ig);
      release(g);
    } else if (g) {
      // A leaf: PyTorch accumulates into .grad across backward calls. The caller's own
      // gradient is copied, never adopted.
      const previous = t.grad;
      t.grad = keep(previous ? previous.add(g) : g === gradient ? g.clone() : g);
      previous?.dispose();
      if (previous) release(g);
    }
    // Freed whether or not a gradient reached it (its consumers' rules may return null).
    if (!options.retainGraph) freeNode(t);
  }
  for (const o of observers) o.backward?.('end', root);
}

/** backward() starts from the caller's gradient of root's shape, or from 1 for a scalar root. */
function checkBackward(root: Tensor, gradient: Tensor | undefined): void {
  if (root.graphFreed) {
    throw new Error(
      `backward(): the graph that made tensor ${root.describe()} was already freed by an earlier backward(); ` +
        `pass { retainGraph: true } to the first call to backpropagate through it twice`,
    );
  }
  if (!root.requiresGrad) {
    throw new Error(`backward(): tensor ${root.describe()} does not require a gradient (no input had requiresGrad: true)`);
  }
  if (gradient && !sameShape(gradient.shape, root.shape)) {
    throw new Error(`backward(): gradient shape ${formatShape(gradient.shape)} does not match tensor shape ${formatShape(root.shape)}`);
  }
  if (!gradient && root.size !== 1) {
    throw new Error(
      `backward(): tensor of shape ${formatShape(root.shape)} is not a scalar; pass the upstream gradient, e.g. t.backward(gs.onesLike(t))`,
    );
  }
}

/** Sum a gradient into what `input` has received so far (both made by this pass, so both freed into the sum). */
function addTo(pending: Map<Tensor, Tensor>, input: Tensor, g: Tensor): void {
  const existing = pending.get(input);
  if (!existing) {
    pending.set(input, g);
    return;
  }
  pending.set(input, existing.add(g));
  existing.dispose();
  g.dispose();
}

/**
 * Run a node's rule (under noGrad, in a scope that frees what it made and did not
 * return) and hand each input that requires a gradient a tensor of its own: one
 * returned twice (g passed through, or one result for two inputs) is copied, and one
 * for an input that needs none is freed.
 */
function inputGradients(t: Tensor, node: TapeNode, g: Tensor): [Tensor, Tensor][] {
  for (const o of observers) o.gradient?.(t, node, g);
  const results = noGrad(() => tidy(() => runRule(t, node, g)));
  for (const o of observers) o.inputGradients?.(t, node, results);
  const handed = new Set<Tensor>([g]);
  const out: [Tensor, Tensor][] = [];
  node.inputs.forEach((input, j) => {
    const ig = results[j];
    if (!ig || !input.requiresGrad) return;
    out.push([input, handed.has(ig) ? ig.clone() : ig]);
    handed.add(ig);
  });
  for (const ig of results) if (ig && !handed.has(ig)) ig.dispose();
  return out;
}

/**
 * A node's backward rule, with the op named in any error. The common one: a tensor the
 * rule needs (an input or the output) was disposed before backward(), by dispose() or by
 * a tidy() that ended before backward() ran.
 */
function runRule(t: Tensor, node: TapeNode, g: Tensor): (Tensor | null)[] {
  try {
    return node.backward(g);
  } catch (error) {
    const message = (error as Error).message;
    const hint = /was disposed/.test(message)
      ? ' (a tensor this gradient needs was disposed before backward(): call backward() inside the tidy() that made the graph, or keep() the tensors)'
      : '';
    throw new Error(`backward(): the gradient rule of op '${node.op}' (output ${t.describe()}) failed: ${message}${hint}`, { cause: error });
  }
}

function freeNode(t: Tensor): void {
  const node = t.node;
  if (!node) return;
  for (const s of node.saved) s.dispose();
  t.node = null;
  t.graphFreed = true;
}
