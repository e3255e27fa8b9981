// Learning-rate schedules as torch.optim.lr_scheduler: call step() once per epoch (or
// per batch, as you choose); each sets optimizer.lr from the count of steps so far.

import type { Optimizer } from './optimizer';

abstract class Schedule {
  readonly baseLr: number;
  /** Number of step() calls so far (torch's last_epoch). */
  count = 0;

  constructor(readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
  }

  abstract lrAt(count: number): number;

  step(): number {
    this.count++;
    this.optimizer.lr = this.lrAt(this.count);
    return this.optimizer.lr;
  }
}

/** StepLR: lr = base · gamma^⌊count / stepSize⌋. */
export class StepLR extends Schedule {
  constructor(optimizer: Optimizer, readonly stepSize: number, readonly gamma = 0.1) {
    super(optimizer);
    if (!Number.isInteger(stepSize) || stepSize < 1) throw new Error(`StepLR: stepSize must be a positive integer, got ${stepSize}`);
  }

  lrAt(count: number): number {
    return this.baseLr * Math.pow(this.gamma, Math.floor(count / this.stepSize));
  }
}

/** CosineAnnealingLR: lr = etaMin + (base − etaMin)(1 + cos(π·count/tMax))/2 (the closed form). */
export class CosineAnnealingLR extends Schedule {
  constructor(optimizer: Optimizer, readonly tMax: number, readonly etaMin = 0) {
    super(optimizer);
    if (!(tMax > 0)) throw new Error(`CosineAnnealingLR: tMax must be > 0, got ${tMax}`);
  }

  lrAt(count: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * count) / this.tMax))) / 2;
  }
}
