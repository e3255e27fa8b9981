// gs.trace(fn): run fn and return its computation graph as plain data, to see
// backpropagation happen. It listens to the tape (observeTape): every op that runs
// while fn runs becomes a node, every tensor it did not see made (inputs, parameters,
// constants) a leaf node; edges go from an input to the op that used it. Gradients
// that backward computes while the trace listens (fn may call backward itself, or
// trace can call it with { backward: true }) are summarised per node: the upstream
// gradient dL/d(node output) as norm, mean, min and max (leaves: their .grad).
//
// Summaries are reduced on the device when the gradient appears (the engine frees
// gradients as soon as they are used) and read back once fn is done.

import { noGrad, observeTape, type TapeNode, type TapeObserver } from './autograd';
import { getBackend } from './backend-registry';
import { keep } from './memory';
import { Tensor } from './tensor';
import * as untracked from './untracked';

export interface GradientSummary {
  norm: number;
  mean: number;
  min: number;
  max: number;
}

export interface TraceNode {
  id: number;
  /** The op's name as in ops.ts ('linear', 'matmul', 'activation', ...), or 'input' / 'parameter' for leaves. */
  op: string;
  /** The tensor's name, if it has one (parameters are '0.weight', ...). */
  name?: string;
  /** Ids of the input nodes, in the op's argument order. */
  inputs: number[];
  inputShapes: number[][];
  shape: number[];
  requiresGrad: boolean;
  /** The backend that ran the op: 'cpu', 'cpu-f64', 'webgpu'. */
  backend: string;
  /** The activation applied (activation ops and fused linear layers). */
  activation?: string;
  /** The activation's parameter values, by name. */
  params?: Record<string, number[]>;
  /** The op's other settings (axis, exponent, fused, ...): numbers, strings, booleans. */
  attributes: Record<string, unknown>;
  /**
   * The kernel that produced the output and its dispatch size (workgroups x, y, z): the
   * last of `kernels`, or what the op put in its tape node's info as `kernel` /
   * `dispatch`; null when the backend does not tell (the CPU backend runs loops).
   */
  kernel: string | null;
  dispatch: number[] | null;
  /** Every kernel the backend reported dispatching for this op (Backend.observeDispatches). */
  kernels: KernelDispatch[];
  /** The kernels its backward rule dispatched, when a backward pass ran while tracing. */
  backwardKernels: KernelDispatch[];
  /** The output values (row-major), when traced with { values: true }. */
  value?: number[];
  /** Summary of dL/d(this output), when a backward pass ran while tracing. */
  grad?: GradientSummary;
  /** The gradient values, when traced with { values: true }. */
  gradValue?: number[];
}

export interface KernelDispatch {
  kernel: string;
  workgroups: number[];
}

export interface TraceEdge {
  from: number;
  to: number;
  /** Which argument of `to` the tensor is. */
  index: number;
}

export interface TraceGraph {
  backend: string;
  nodes: TraceNode[];
  edges: TraceEdge[];
  /** The node of fn's result, when fn returned a tensor. */
  output: number | null;
}

export interface TraceOptions {
  /** Call backward() on fn's result (a scalar tensor) while tracing. */
  backward?: boolean;
  /** Record every node's output values and gradient values too (small graphs). */
  values?: boolean;
}

export interface TraceSession {
  /**
   * Stop listening and read the graph back. `result`: the tensor to mark as the graph's
   * output. A session can be stopped once.
   */
  stop(result?: unknown): Promise<TraceGraph>;
}

/**
 * Start listening to the tape: everything run until stop() — forward ops, and the
 * gradients of any backward pass, even one run later (the "Backprop, step by step"
 * page records a forward, then a backward) — goes into the graph. A backend that can
 * tell which kernels it dispatches (Backend.observeDispatches) has them attributed to
 * the op being recorded or, during backward, to the node whose gradient rule runs.
 */
export function startTrace(options: Omit<TraceOptions, 'backward'> = {}): TraceSession {
  const recorder = new GraphRecorder(!!options.values);
  const stopObserving = observeTape(recorder);
  const stopDispatches = getBackend().observeDispatches?.((kernel, workgroups) => recorder.dispatched(kernel, workgroups));
  let stopped = false;
  return {
    async stop(result?: unknown): Promise<TraceGraph> {
      if (stopped) throw new Error('trace: this session was already stopped');
      stopped = true;
      stopObserving();
      stopDispatches?.();
      return recorder.collect(result);
    },
  };
}

interface PendingNode {
  node: TraceNode;
  tensor: Tensor;
  /** Copies taken at record time: the op's tensors may be freed before fn returns. */
  value?: Tensor;
  params?: [string, Tensor][];
  /** norm, mean, min and max of the gradient, reduced on the device. */
  grad?: Tensor[];
  gradValue?: Tensor;
}

/** The graph as the tape shows it, kept on the device until collect() reads it back. */
class GraphRecorder implements TapeObserver {
  private readonly ids = new Map<Tensor, PendingNode>();
  private readonly pending: PendingNode[] = [];
  private backendName = '';
  // Set while the recorder computes its own summaries, and while a backward pass runs
  // (its gradient rules' ops and the accumulation of gradients are not part of fn's graph).
  private busy = false;
  private backwardDepth = 0;
  /** Kernels dispatched since the previous op was recorded. */
  private dispatches: KernelDispatch[] = [];
  /** The node whose gradient rule runs now, during backward. */
  private inBackward: PendingNode | null = null;

  constructor(private readonly withValues: boolean) {}

  // --- listening ------------------------------------------------------------------------

  dispatched(kernel: string, workgroups: readonly number[]): void {
    if (this.busy) return;
    const d = { kernel, workgroups: [...workgroups] };
    if (this.backwardDepth > 0) this.inBackward?.node.backwardKernels.push(d);
    else this.dispatches.push(d);
  }

  backward(phase: 'start' | 'end'): void {
    this.backwardDepth = Math.max(0, this.backwardDepth + (phase === 'start' ? 1 : -1));
    if (this.backwardDepth === 0) this.inBackward = null;
  }

  recorded(output: Tensor, tapeNode: TapeNode): void {
    if (this.busy || this.backwardDepth > 0) return;
    this.quietly(() => {
      const inputs = tapeNode.inputs.map((t) => this.leafFor(t));
      const entry = this.nodeFor(output, tapeNode.op, inputs.map((e) => e.node.id));
      entry.node.inputShapes = tapeNode.inputs.map((t) => [...t.shape]);
      entry.node.requiresGrad = output.requiresGrad;
      this.describeOp(entry, tapeNode.info);
    });
  }

  gradient(output: Tensor, _node: TapeNode, grad: Tensor): void {
    const entry = this.ids.get(output);
    this.inBackward = entry ?? null;
    if (!entry || this.busy) return;
    // A later backward through the same node replaces the earlier summary.
    this.quietly(() => this.summarise(entry, grad));
  }

  // --- building nodes -------------------------------------------------------------------

  /** Run the recorder's own ops, unseen by itself. */
  private quietly(fn: () => void): void {
    this.busy = true;
    try {
      fn();
    } finally {
      this.busy = false;
    }
  }

  private copyOf(t: Tensor): Tensor {
    return keep(untracked.copy(t));
  }

  private nodeFor(t: Tensor, op: string, inputs: number[]): PendingNode {
    const entry: PendingNode = {
      tensor: t,
      node: {
        id: this.pending.length,
        op,
        ...(t.name ? { name: t.name } : {}),
        inputs,
        inputShapes: [],
        shape: [...t.shape],
        requiresGrad: t.requiresGrad,
        backend: t.backend.name,
        attributes: {},
        kernel: null,
        dispatch: null,
        kernels: [],
        backwardKernels: [],
      },
    };
    this.backendName ||= t.backend.name;
    if (this.withValues) entry.value = this.copyOf(t);
    this.ids.set(t, entry);
    this.pending.push(entry);
    return entry;
  }

  private leafFor(t: Tensor): PendingNode {
    return this.ids.get(t) ?? this.nodeFor(t, t.requiresGrad ? 'parameter' : 'input', []);
  }

  /** The tape node's info as the trace node's activation, parameters, kernel and attributes. */
  private describeOp(entry: PendingNode, info: Record<string, unknown>): void {
    const { activation, params, kernel, dispatch, ...rest } = info;
    if (typeof activation === 'string') entry.node.activation = activation;
    if (params && typeof params === 'object') {
      entry.params = Object.entries(params as Record<string, unknown>)
        .filter((kv): kv is [string, Tensor] => kv[1] instanceof Tensor)
        .map(([name, t]) => [name, this.copyOf(t)]);
    }
    entry.node.kernels = this.dispatches;
    this.dispatches = [];
    const last = entry.node.kernels[entry.node.kernels.length - 1];
    entry.node.kernel = typeof kernel === 'string' ? kernel : (last?.kernel ?? null);
    entry.node.dispatch = Array.isArray(dispatch) ? dispatch.map(Number) : (last?.workgroups ?? null);
    for (const [key, v] of Object.entries(rest)) {
      if (v === null || ['number', 'string', 'boolean'].includes(typeof v)) entry.node.attributes[key] = v;
    }
  }

  /** Reduce a gradient on the device now (the engine frees gradients as soon as they are used). */
  private summarise(entry: PendingNode, g: Tensor): void {
    for (const t of entry.grad ?? []) t.dispose();
    entry.gradValue?.dispose();
    entry.grad = noGrad(() => {
      const sq = g.mul(g);
      const s = sq.sum();
      const out = [s.sqrt(), g.mean(), g.min(), g.max()].map((t) => keep(t));
      sq.dispose();
      s.dispose();
      return out;
    });
    if (this.withValues) entry.gradValue = this.copyOf(g);
  }

  // --- reading back ---------------------------------------------------------------------

  async collect(result: unknown): Promise<TraceGraph> {
    // Leaves get their accumulated .grad.
    for (const entry of this.pending) {
      const t = entry.tensor;
      if (entry.node.inputs.length === 0 && !entry.grad && !t.disposed && t.grad) {
        const grad = t.grad;
        this.quietly(() => this.summarise(entry, grad));
      }
    }
    const read = async (t: Tensor) => {
      const v = Array.from(await t.toArray());
      t.dispose();
      return v;
    };
    // Every readback is issued at once: the waits overlap.
    await Promise.all(this.pending.map(async (entry) => {
      const n = entry.node;
      if (entry.value) n.value = await read(entry.value);
      if (entry.params) n.params = Object.fromEntries(await Promise.all(entry.params.map(async ([k, t]) => [k, await read(t)] as const)));
      if (entry.grad) {
        const [norm, mean, min, max] = await Promise.all(entry.grad.map(read));
        n.grad = { norm: norm[0], mean: mean[0], min: min[0], max: max[0] };
      }
      if (entry.gradValue) n.gradValue = await read(entry.gradValue);
    }));
    const nodes = this.pending.map((e) => e.node);
    const edges = nodes.flatMap((n) => n.inputs.map((from, index) => ({ from, to: n.id, index })));
    const output = result instanceof Tensor ? (this.ids.get(result)?.node.id ?? null) : null;
    // Let go of fn's tensors: the graph is plain data from here on.
    this.ids.clear();
    this.pending.length = 0;
    return { backend: this.backendName, nodes, edges, output };
  }
}

/** Run fn (sync or async) and return its graph, with fn's own value as `result`. */
export async function trace(fn: () => unknown, options: TraceOptions = {}): Promise<TraceGraph & { result: unknown }> {
  const session = startTrace(options);
  let result: unknown;
  try {
    result = await fn();
    if (options.backward) {
      if (!(result instanceof Tensor)) throw new Error('trace: { backward: true } needs fn to return a scalar tensor');
      result.backward();
    }
  } catch (error) {
    await session.stop().catch(() => undefined);
    throw error;
  }
  return { ...(await session.stop(result)), result };
}

function escapeDot(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

/**
 * The graph as Graphviz DOT text: one box per op, one ellipse per leaf, edges from
 * inputs to the ops that use them; labels carry the op, activation, shape and, after
 * backward, the upstream gradient's norm.
 */
export function toDot(graph: TraceGraph, title = 'gradscope'): string {
  const lines = [`digraph "${escapeDot(title)}" {`, '  rankdir=LR;', '  node [fontname="monospace"];'];
  for (const n of graph.nodes) {
    const head = n.inputs.length === 0 ? (n.name ?? n.op) : n.activation ? `${n.op} (${n.activation})` : n.op;
    const parts = [head, `[${n.shape.join(', ')}]`];
    if (n.grad) parts.push(`|grad| ${formatNumber(n.grad.norm)}`);
    const shape = n.inputs.length === 0 ? 'ellipse' : 'box';
    const extra = n.id === graph.output ? ', style=bold' : '';
    lines.push(`  n${n.id} [label="${parts.map(escapeDot).join('\\n')}", shape=${shape}${extra}];`);
  }
  for (const e of graph.edges) lines.push(`  n${e.from} -> n${e.to} [label="${e.index}"];`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
