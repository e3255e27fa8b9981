// The optimizer base: holds parameters and per-parameter state tensors. Updates run
// on the parameters' backend, in place, with no readback.

import { Tensor } from '../../engine/tensor';
import { keep } from '../../engine/memory';

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

  /** Per-parameter state tensors by name ('momentum_buffer', 'exp_avg', ...), for checkpoints. */
  abstract stateTensors(): Record<string, Tensor>;

  protected zerosLike(p: Tensor): Tensor {
    return keep(Tensor.fromStorage(p.backend, p.backend.fill(p.size, 0), p.shape));
  }

  /** Release the state tensors. */
  dispose(): void {
    for (const t of Object.values(this.stateTensors())) t.dispose();
  }
}
