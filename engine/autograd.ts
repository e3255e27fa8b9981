// The tape. Every differentiable op that sees an input requiring a gradient records a
// TapeNode on its output: the inputs, and a backward rule mapping the output's
// gradient to the inputs' gradients (the rules sit next to their forwards in ops.ts).
// backward() sorts the graph topologically once, walks it in reverse, accumulates
// gradients of tensors used more than once, stores the leaves' gradients in .grad and
// frees the graph.

import type { Tensor } from './tensor';
import { formatShape, sameShape } from './shape';
import { keep } from './memory';

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

export function isGradEnabled(): boolean {
  return gradEnabled;
}

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
  if (root.graphFreed) {
    throw new Error(
      `backward(): the graph that made tensor ${root.describe()} was already freed by an earlier backward(); ` +
        `pass { retainGraph: true } to the first call to backpropagate through it twice`,
    );
  }
  if (!root.requiresGrad) {
    throw new Error(`backward(): tensor ${root.describe()} does not require a gradient (no input had requiresGrad: true)`);
  }
  let seed: Tensor;
  if (gradient) {
    if (!sameShape(gradient.shape, root.shape)) {
      throw new Error(`backward(): gradient shape ${formatShape(gradient.shape)} does not match tensor shape ${formatShape(root.shape)}`);
    }
    seed = gradient;
  } else {
    if (root.size !== 1) {
      throw new Error(
        `backward(): tensor of shape ${formatShape(root.shape)} is not a scalar; pass the upstream gradient, e.g. t.backward(gs.onesLike(t))`,
      );
    }
    seed = fill(root, 1);
  }

  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  const owned = new Set<Tensor>(gradient ? [] : [seed]);

  // `g` is always a tensor this backward pass made (a rule's result, or a clone of a
  // pass-through gradient), so it is owned here and freed once summed in.
  const accumulate = (t: Tensor, g: Tensor) => {
    const existing = grads.get(t);
    if (!existing) {
      grads.set(t, g);
      owned.add(g);
      return;
    }
    const sum = existing.add(g);
    if (owned.has(existing)) existing.dispose();
    g.dispose();
    owned.delete(existing);
    grads.set(t, sum);
    owned.add(sum);
  };

  for (const o of observers) o.backward?.('start', root);
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    const g = grads.get(t);
    if (!g) {
      // No gradient reached this node (its consumers' rules returned null): free it anyway.
      if (!options.retainGraph) freeNode(t);
      continue;
    }
    const node = t.node;
    if (!node) {
      // A leaf: PyTorch accumulates into .grad across backward calls.
      if (t.grad) {
        const sum = t.grad.add(g);
        t.grad.dispose();
        if (owned.has(g)) g.dispose();
        owned.delete(g);
        t.grad = keep(sum);
      } else {
        t.grad = keep(owned.has(g) ? g : g.clone());
        owned.delete(g);
      }
      continue;
    }
    for (const o of observers) o.gradient?.(t, node, g);
    const inputGrads = withoutGrad(() => runRule(t, node, g));
    for (const o of observers) o.inputGradients?.(t, node, inputGrads);
    for (let j = 0; j < node.inputs.length; j++) {
      const input = node.inputs[j];
      const ig = inputGrads[j];
      if (!ig || !input.requiresGrad) {
        if (ig && ig !== g) ig.dispose();
        continue;
      }
      if (ig === g) {
        // A pass-through rule (reshape of identical shape, add): hand over the same tensor.
        accumulate(input, ig.clone());
      } else accumulate(input, ig);
    }
    // This node's gradient is no longer needed.
    grads.delete(t);
    if (owned.has(g)) g.dispose();
    owned.delete(g);
    if (!options.retainGraph) freeNode(t);
  }
  for (const o of observers) o.backward?.('end', root);
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

function withoutGrad<T>(fn: () => T): T {
  return noGrad(fn);
}

function fill(like: Tensor, value: number): Tensor {
  const Ctor = like.constructor as typeof Tensor;
  return Ctor.fromStorage(like.backend, like.backend.fill(like.size, value), like.shape);
}
