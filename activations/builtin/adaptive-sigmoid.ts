import type { ActivationSpec } from '../../engine/activation-spec';
import { sigmoid, WGSL_SIGMOID } from './math';

export const adaptiveSigmoid: ActivationSpec = {
  name: 'adaptive_sigmoid',
  aliases: ['AdaptiveSigmoid'],
  formula: '1 / (1 + e^(−k(x − θ))), k and θ trainable',
  reference: 'Chen & Chang, "A feedforward neural network with function shape autotuning", Neural Networks 1996',
  convention: "k starts at 1 and θ at 0 (the logistic sigmoid); f' = k·y(1 − y), ∂f/∂k = (x − θ)·y(1 − y), ∂f/∂θ = −k·y(1 − y)",
  handWritten: "speed: f' = k·y(1 − y) and ∂f/∂θ = −k·y(1 − y) from the output and one σ (a derived form evaluates σ twice)",
  range: [-6, 6],
  params: [
    { name: 'k', default: 1, trainable: true, description: 'slope' },
    { name: 'theta', default: 0, trainable: true, description: 'shift' },
  ],
  cpu: {
    f: (x, p) => sigmoid(p.k[0] * (x - p.theta[0])),
    df: (_x, y, p) => p.k[0] * y * (1 - y),
    dparams: {
      k: (x, y, p) => {
        const q = y * (1 - y);
        return q === 0 ? 0 : (x - p.theta[0]) * q;
      },
      theta: (_x, y, p) => -p.k[0] * y * (1 - y),
    },
  },
  wgsl: {
    helpers: WGSL_SIGMOID,
    f: 'return gs_sigmoid(p_k(0u) * (x - p_theta(0u)));',
    df: 'return p_k(0u) * y * (1.0 - y);',
    dparams: {
      k: 'let q = y * (1.0 - y); if (q == 0.0) { return 0.0; } return (x - p_theta(0u)) * q;',
      theta: 'return -p_k(0u) * y * (1.0 - y);',
    },
  },
};
