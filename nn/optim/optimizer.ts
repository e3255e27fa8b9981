// The optimizer base: holds parameters and per-parameter state tensors. Updates run
// on the parameters' backend, in place, with no readback.

import { Tensor } from '../../engine/tensor';
import { keep } from '../../engine/memory';
import { formatShape, sameShape } from '../../engine/shape';
import * as untracked from '../../engine/untracked';
import type { LoadedTensor } from '../io/safetensors';

export abstract class Optimizer {
  readonly params: Tensor[];
  /** Steps taken (1-based inside step()). */
  stepCount = 0;

  constructor(params: Iterable<Tensor>, name: string) {
    this.params = [...params];
    if (this.params.length === 0) throw new Error(`${name}: got an empty parameter list`);
    this.params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new Error(`${name}: parameter ${i} is not a Tensor`);
    });
  }

  /** Learning rate, read and written by schedules. */
  abstract lr: number;

  /** Drop gradients (PyTorch's set_to_none=True). */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  abstract step(): void;

  /** Per-parameter state tensors by name ('0.momentum_buffer', '3.exp_avg', ...), for checkpoints. */
  abstract stateTensors(): Record<string, Tensor>;

  /** The settings (lr, momentum, ...), recorded in checkpoints. */
  abstract config(): Record<string, unknown>;

  /** The buffer names this optimizer keeps per parameter. */
  protected abstract stateBuffers(): readonly string[];

  /** Put one state buffer in place (the tensor is owned by the optimizer afterwards). */
  protected abstract setStateTensor(param: Tensor, buffer: string, value: Tensor): void;

  /** Restore state tensors (as stateTensors names them) and the step count from a checkpoint. */
  loadState(state: Record<string, LoadedTensor>, stepCount: number): void {
    this.stageState(state, stepCount)();
  }

  /**
   * Every check of loadState (names, parameter indices, shapes, step count), changing
   * nothing; returns what puts the state in place. A checkpoint checks the model, the
   * optimizer and the loader before it changes any of them.
   */
  stageState(state: Record<string, LoadedTensor>, stepCount: number): () => void {
    const who = `${this.constructor.name}.loadState`;
    const buffers = this.stateBuffers();
    const staged: [Tensor, string, LoadedTensor][] = [];
    for (const [key, value] of Object.entries(state)) {
      const match = /^(\d+)\.(.+)$/.exec(key);
      const index = match ? Number(match[1]) : -1;
      const param = this.params[index];
      if (!match || !param || !buffers.includes(match[2])) {
        const keeps = buffers.length ? `buffers: ${buffers.join(', ')}` : 'it keeps no state with these settings';
        throw new Error(`${who}: unexpected state '${key}' (${keeps}; ${this.params.length} parameters)`);
      }
      if (!sameShape(value.shape, param.shape) || value.data.length !== param.size) {
        throw new Error(`${who}: '${key}' has shape ${formatShape(value.shape)} (${value.data.length} values), parameter ${index} has shape ${formatShape(param.shape)}`);
      }
      staged.push([param, match[2], value]);
    }
    if (!Number.isInteger(stepCount) || stepCount < 0) throw new Error(`${who}: bad step count ${stepCount}`);
    return () => {
      for (const t of Object.values(this.stateTensors())) t.dispose();
      this.clearState();
      for (const [param, buffer, value] of staged) {
        this.setStateTensor(param, buffer, keep(untracked.upload(param, value.data, param.shape)));
      }
      this.stepCount = stepCount;
    };
  }

  /**
   * Why this optimizer cannot continue a run whose optimizer had the settings `saved`
   * (its config()), or null when it can. Settings a run may change on resume (the
   * learning rate, which schedules change anyway) are never a conflict; settings that
   * decide which state exists are.
   */
  resumeConflict(_saved: Record<string, unknown>): string | null {
    return null;
  }

  /** Forget all state tensors (after disposing them). */
  protected abstract clearState(): void;

  protected zerosLike(p: Tensor): Tensor {
    return keep(untracked.full(p, p.shape, 0));
  }

  /** Release the state tensors. */
  dispose(): void {
    for (const t of Object.values(this.stateTensors())) t.dispose();
    this.clearState();
  }
}
