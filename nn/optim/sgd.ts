// SGD with momentum, dampening, nesterov and weight decay: exactly torch.optim.SGD.

import type { Tensor } from '../../engine/tensor';
import * as untracked from '../../engine/untracked';
import { Optimizer } from './optimizer';

export interface SgdConfig {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export class SGD extends Optimizer {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  private readonly velocity = new Map<Tensor, Tensor>();

  constructor(params: Iterable<Tensor>, config: SgdConfig) {
    super(params, 'SGD');
    const { lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = config ?? ({} as SgdConfig);
    if (!(typeof lr === 'number' && lr >= 0)) throw new Error(`SGD: lr must be a non-negative number, got ${lr}`);
    if (!(momentum >= 0)) throw new Error(`SGD: momentum must be >= 0, got ${momentum}`);
    if (!(weightDecay >= 0)) throw new Error(`SGD: weightDecay must be >= 0, got ${weightDecay}`);
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new Error(`SGD: nesterov needs momentum > 0 and dampening 0 (got momentum ${momentum}, dampening ${dampening})`);
    }
    this.lr = lr;
    this.momentum = momentum;
    this.dampening = dampening;
    this.nesterov = nesterov;
    this.weightDecay = weightDecay;
  }

  step(): void {
    this.stepCount++;
    for (const p of this.params) {
      if (!p.grad) continue;
      let v = this.velocity.get(p) ?? null;
      const firstStep = this.momentum !== 0 && !v;
      if (firstStep) {
        v = this.zerosLike(p);
        this.velocity.set(p, v);
      }
      untracked.sgdStep(p, p.grad, v, {
        lr: this.lr,
        momentum: this.momentum,
        dampening: this.dampening,
        nesterov: this.nesterov,
        weightDecay: this.weightDecay,
        firstStep,
      });
    }
  }

  config(): Record<string, unknown> {
    const { lr, momentum, dampening, nesterov, weightDecay } = this;
    return { lr, momentum, dampening, nesterov, weightDecay };
  }

  protected stateBuffers(): readonly string[] {
    return this.momentum !== 0 ? ['momentum_buffer'] : [];
  }

  /** Momentum on one side only: the buffers would be dropped, or the velocity restart from zero mid-run. */
  override resumeConflict(saved: Record<string, unknown>): string | null {
    const momentum = typeof saved.momentum === 'number' ? saved.momentum : 0;
    if ((momentum !== 0) === (this.momentum !== 0)) return null;
    const consequence = momentum !== 0 ? 'its momentum buffers would be dropped' : 'the velocity would start from zero in the middle of the run';
    return `the checkpoint's SGD has momentum ${momentum} and this one ${this.momentum}: ${consequence}`;
  }

  protected setStateTensor(param: Tensor, _buffer: string, value: Tensor): void {
    this.velocity.set(param, value);
  }

  protected clearState(): void {
    this.velocity.clear();
  }

  stateTensors(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    this.params.forEach((p, i) => {
      const v = this.velocity.get(p);
      if (v) out[`${i}.momentum_buffer`] = v;
    });
    return out;
  }
}
