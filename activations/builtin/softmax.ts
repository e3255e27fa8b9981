import type { ActivationSpec } from '../../engine/activation-spec';

const notElementwise = (): never => {
  throw new Error("softmax is not elementwise: use gs.activation('softmax', { axis }) or tensor.softmax(axis)");
};

/**
 * Softmax is listed with the activations (names(), get(), gs.activation('softmax'))
 * but is not elementwise: kind 'output'. gs.activation makes the Softmax module;
 * ops.softmax runs it, with backward as the Jacobian-vector product
 * dx = y ⊙ (dy − Σ dy ⊙ y).
 */
export const softmaxSpec: ActivationSpec = {
  name: 'softmax',
  aliases: ['Softmax'],
  kind: 'output',
  formula: 'softmax(x)ᵢ = e^(xᵢ − max x) / Σⱼ e^(xⱼ − max x), over an axis (default −1)',
  reference: 'Bridle, "Probabilistic Interpretation of Feedforward Classification Network Outputs", 1990',
  convention: 'computed with the row maximum subtracted; backward is the Jacobian-vector product y ⊙ (dy − ⟨dy, y⟩)',
  handWritten: "not elementwise (kind 'output'): ops.softmax runs it",
  range: [-4, 4],
  cpu: { f: notElementwise, df: notElementwise },
  wgsl: { f: 'return x;', df: 'return 1.0;' },
};
