// Sequential: modules applied in order, named '0', '1', ... as torch.nn.Sequential.
// A Linear directly followed by an elementwise Activation runs as ONE fused op
// (forward act(xWᵀ + b), backward dZ = dY ⊙ f'(Z) with the bias gradient).

import { linear } from '../engine/ops';
import type { Tensor } from '../engine/tensor';
import { Activation } from './activation';
import { Linear } from './linear';
import { Module } from './module';

export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new Error(`Sequential: item ${i} is not a Module (got ${String(m)})`);
      this.registerModule(String(i), m);
    });
    this.layers = modules;
  }

  /** Whether layer i (a Linear) and i+1 (an activation) run as one fused kernel. */
  fusesAt(i: number): boolean {
    const a = this.layers[i];
    const b = this.layers[i + 1];
    return a instanceof Linear && b instanceof Activation && !b.unfusable;
  }

  forward(x: Tensor): Tensor {
    return this.forwardWithOutputs(x).output;
  }

  /**
   * Forward that also hands back each layer's output (a fused pair reports its
   * activation's output under the activation's index): analysis uses it.
   */
  forwardWithOutputs(x: Tensor, onOutput?: (index: number, module: Module, output: Tensor) => void): { output: Tensor } {
    let h = x;
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i];
      if (this.fusesAt(i)) {
        const lin = layer as Linear;
        const act = this.layers[i + 1] as Activation;
        h = linear(h, lin.weight, lin.bias, act.instance);
        i++;
        onOutput?.(i, act, h);
      } else {
        h = layer.forward(h);
        onOutput?.(i, layer, h);
      }
    }
    return { output: h };
  }
}
