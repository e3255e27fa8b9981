// Adam as torch.optim.Adam (weight decay added to the gradient, L2 style) and, with
// decoupledWeightDecay, AdamW (θ ← θ(1 − lr·λ) before the Adam step). The update runs on
// the device (Backend.adamStep). Bias correction uses the optimizer's step count: as
// torch's per-parameter count whenever every parameter gets a gradient at every step.

import type { Tensor } from '../../engine/tensor';
import * as untracked from '../../engine/untracked';
import { Optimizer } from './optimizer';

export interface AdamConfig {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  /** AdamW: decoupled weight decay (torch.optim.AdamW). */
  decoupledWeightDecay?: boolean;
}

export class Adam extends Optimizer {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupledWeightDecay: boolean;
  private readonly moments = new Map<Tensor, { m: Tensor | null; v: Tensor | null }>();

  constructor(params: Iterable<Tensor>, config: AdamConfig = {}, name = 'Adam') {
    super(params, name);
    const { lr = 0.001, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, decoupledWeightDecay = false } = config ?? {};
    if (!(typeof lr === 'number' && lr >= 0)) throw new Error(`${name}: lr must be a non-negative number, got ${lr}`);
    if (!Array.isArray(betas) || betas.length !== 2 || betas.some((b) => !(b >= 0 && b < 1))) {
      throw new Error(`${name}: betas must be two numbers in [0, 1), got ${JSON.stringify(betas)}`);
    }
    if (!(eps >= 0)) throw new Error(`${name}: eps must be >= 0, got ${eps}`);
    if (!(weightDecay >= 0)) throw new Error(`${name}: weightDecay must be >= 0, got ${weightDecay}`);
    this.lr = lr;
    [this.beta1, this.beta2] = betas;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.decoupledWeightDecay = decoupledWeightDecay;
  }

  private stateOf(p: Tensor): { m: Tensor; v: Tensor } {
    let s = this.moments.get(p);
    if (!s) this.moments.set(p, (s = { m: null, v: null }));
    return { m: (s.m ??= this.zerosLike(p)), v: (s.v ??= this.zerosLike(p)) };
  }

  step(): void {
    this.stepCount++;
    for (const p of this.params) {
      if (!p.grad) continue;
      const { m, v } = this.stateOf(p);
      untracked.adamStep(p, p.grad, m, v, {
        lr: this.lr,
        beta1: this.beta1,
        beta2: this.beta2,
        eps: this.eps,
        weightDecay: this.weightDecay,
        decoupledWeightDecay: this.decoupledWeightDecay,
        step: this.stepCount,
      });
    }
  }

  config(): Record<string, unknown> {
    const { lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay } = this;
    return { lr, betas: [beta1, beta2], eps, weightDecay, decoupledWeightDecay };
  }

  protected stateBuffers(): readonly string[] {
    return ['exp_avg', 'exp_avg_sq'];
  }

  protected setStateTensor(param: Tensor, buffer: string, value: Tensor): void {
    let s = this.moments.get(param);
    if (!s) this.moments.set(param, (s = { m: null, v: null }));
    if (buffer === 'exp_avg') s.m = value;
    else s.v = value;
  }

  protected clearState(): void {
    this.moments.clear();
  }

  stateTensors(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    this.params.forEach((p, i) => {
      const s = this.moments.get(p);
      if (s?.m) out[`${i}.exp_avg`] = s.m;
      if (s?.v) out[`${i}.exp_avg_sq`] = s.v;
    });
    return out;
  }
}

/** torch.optim.AdamW: Adam with decoupled weight decay (default 0.01 as torch). */
export class AdamW extends Adam {
  constructor(params: Iterable<Tensor>, config: Omit<AdamConfig, 'decoupledWeightDecay'> = {}) {
    super(params, { weightDecay: 0.01, ...config, decoupledWeightDecay: true }, 'AdamW');
  }
}
