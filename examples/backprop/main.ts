// Backprop, step by step: the traced graph of a tiny MLP on one sample (gs.trace),
// drawn with cytoscape + dagre; a button walks backward one node at a time showing the
// upstream gradient computed on the page's backend beside the CPU reference.
import cytoscape from 'cytoscape';
import dagre from 'cytoscape-dagre';
import type { TraceGraph, TraceNode } from '../../index';
import { cpuBackend } from '../../engine/backend-registry';
import { byId, chooseBackend, gs, injectStyle, markReady, setOutput, showError } from '../shared/page';

cytoscape.use(dagre);

/** The local derivative each op's backward applies (as its gradient rule in engine/ops.ts). */
const RULES: Record<string, string> = {
  linear: 'y = f(x Wᵀ + b): dZ = dY ⊙ f′(Z); dX = dZ W; dW = dZᵀ X; db = Σ dZ over the batch',
  activation: "y = f(x): dX = dY ⊙ f′(x)",
  crossEntropy: 'L = −log softmax(z)[label]: dZ = (softmax(z) − onehot(label)) · dL / n',
  mean: 'y = mean(x): dX = dY / n, broadcast',
  sum: 'y = Σ x: dX = dY, broadcast',
  matmul: 'C = A B: dA = dC Bᵀ; dB = Aᵀ dC',
  add: 'y = a + b: da = dy; db = dy (summed over broadcast axes)',
  mul: 'y = a ⊙ b: da = dy ⊙ b; db = dy ⊙ a',
};

async function traced(): Promise<TraceGraph> {
  // The same seed gives the same weights on every backend.
  const model = gs.nn.mlp({ input: 2, hidden: [3], output: 2, activation: 'tanh', seed: 7 });
  const x = gs.tensor([[0.5, -1.0]]);
  const graph = await gs.trace(() => gs.losses.crossEntropy(model.forward(x), [1]), { backward: true, values: true });
  gs.dispose(x, model);
  return graph;
}

function fmt(values: readonly number[] | undefined): string {
  return values ? values.map((v) => v.toFixed(5)).join(', ') : '–';
}

function label(n: TraceNode): string {
  const what = n.op === 'input' || n.op === 'parameter' ? n.name ?? n.op : `${n.op}${n.activation ? ` (${n.activation})` : ''}`;
  return `${what}\n[${n.shape.join('×')}]\n${n.value ? fmt(n.value.slice(0, 3)) + (n.value.length > 3 ? ', …' : '') : ''}`;
}

async function main(): Promise<void> {
  injectStyle();
  await chooseBackend();
  const graph = await traced();
  const reference = gs.getBackend() === cpuBackend() ? graph : await gs.withBackend(cpuBackend(), () => traced());
  const cy = cytoscape({
    container: byId('graph'),
    elements: [
      ...graph.nodes.map((n) => ({ data: { id: String(n.id), label: label(n) } })),
      ...graph.edges.map((e) => ({ data: { id: `${e.from}-${e.to}-${e.index}`, source: String(e.from), target: String(e.to) } })),
    ],
    style: [
      { selector: 'node', style: { label: 'data(label)', 'text-wrap': 'wrap', 'font-size': 9, shape: 'round-rectangle', width: 120, height: 44, 'text-valign': 'center', 'background-color': '#e7ecf7', 'border-width': 1, 'border-color': '#8795b5' } },
      { selector: 'node.current', style: { 'background-color': '#ffd166', 'border-width': 3 } },
      { selector: 'node.done', style: { 'background-color': '#c9f0d3' } },
      { selector: 'edge', style: { 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', width: 1.5 } },
    ],
    layout: { name: 'dagre', rankDir: 'TB' } as cytoscape.LayoutOptions,
  });
  // Backward visits ops in reverse order of recording, then the leaves' gradients.
  const order = [...graph.nodes].filter((n) => n.grad).sort((a, b) => b.id - a.id);
  let position = 0;
  const show = () => {
    cy.nodes().removeClass('current');
    if (position === 0) {
      byId('node-title').textContent = 'Press “Step backward”.';
      return;
    }
    const node = order[position - 1];
    const ref = reference.nodes.find((n) => n.id === node.id);
    cy.getElementById(String(node.id)).addClass('current').addClass('done');
    byId('node-title').textContent = `${node.op}${node.name ? ` ${node.name}` : ''}${node.activation ? ` (${node.activation})` : ''}, shape [${node.shape.join('×')}]`;
    byId('node-rule').textContent = RULES[node.op] ?? (node.op === 'parameter' || node.op === 'input' ? 'a leaf: its .grad is the sum of what flows into it' : `the ${node.op} gradient rule in engine/ops.ts`);
    const table = byId<HTMLTableElement>('node-table');
    table.replaceChildren();
    const rows: [string, string, string][] = [
      ['', graph.backend, `CPU reference`],
      ['forward value', fmt(node.value), fmt(ref?.value)],
      ['upstream gradient ∂L/∂out', fmt(node.gradValue), fmt(ref?.gradValue)],
      ['‖gradient‖', node.grad!.norm.toExponential(4), ref?.grad ? ref.grad.norm.toExponential(4) : '–'],
    ];
    for (const r of rows) {
      const tr = table.insertRow();
      for (const c of r) tr.insertCell().textContent = c;
    }
    table.dataset.grad = JSON.stringify(node.gradValue ?? []);
    table.dataset.reference = JSON.stringify(ref?.gradValue ?? []);
    table.dataset.node = String(node.id);
  };
  byId('step').addEventListener('click', () => {
    if (position < order.length) position++;
    setOutput('position', `${position} of ${order.length} steps`, position);
    show();
  });
  byId('reset').addEventListener('click', () => {
    position = 0;
    cy.nodes().removeClass('done');
    setOutput('position', '0 steps', 0);
    show();
  });
  show();
  markReady();
}

main().catch(showError);
