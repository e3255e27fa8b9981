// How the spread of activations and gradients evolves through a deep MLP at
// initialisation, for each initializer × activation pair (Glorot & Bengio, 2010;
// He et al., 2015): a network of `depth` Linear(width, width) + activation layers
// gets a batch of standard-normal inputs, and a standard-normal upstream gradient at
// its output is propagated back.

import { randn } from '../../engine/creation';
import type { Tensor } from '../../engine/tensor';
import { activation } from '../activation';
import { Linear } from '../linear';
import type { Module } from '../module';
import { noGrad } from '../../engine/autograd';
import { tidy } from '../../engine/memory';
import { readScalars, withFreshGrads } from './device';

export interface InitializerStudyOptions {
  depth: number;
  width: number;
  /** gs.init names, e.g. ['glorot_uniform', 'he_normal']. */
  initializers: readonly string[];
  /** Activation names, e.g. ['tanh', 'relu']. */
  activations: readonly string[];
  /** Batch of inputs (default 256). */
  samples?: number;
  seed?: number;
}

export interface InitializerStudyResult {
  initializer: string;
  activation: string;
  /** Std of each layer's activation output, layer 1 first. */
  activationStd: number[];
  /** Std of each layer's weight gradient. */
  gradientStd: number[];
  /** Std of the gradient reaching each layer's activation output (dL/dh), layer 1 first. */
  backpropStd: number[];
}

export async function initializerStudy(options: InitializerStudyOptions): Promise<{ depth: number; width: number; results: InitializerStudyResult[] }> {
  const { depth, width, initializers, activations, samples = 256, seed = 0 } = options;
  for (const [name, v] of [['depth', depth], ['width', width], ['samples', samples]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`initializerStudy: ${name} must be a positive integer, got ${v}`);
  }
  if (!initializers?.length || !activations?.length) {
    throw new Error('initializerStudy: give at least one name in initializers and in activations');
  }
  const results: InitializerStudyResult[] = [];
  for (const init of initializers) {
    for (const act of activations) {
      const layers: [Linear, Module][] = [];
      for (let l = 0; l < depth; l++) {
        layers.push([new Linear(width, width, { init, biasInit: 'zeros', seed: seed * 1009 + l }), activation(act)]);
      }
      const params = layers.flatMap(([lin, a]) => [...lin.parameters(), ...a.parameters()]);
      const x = randn([samples, width], { seed: seed + 1 });
      // Population std, two-pass on the device; all of them are read back together at the end.
      const std = (t: Tensor): Tensor => noGrad(() => tidy(() => {
        const centred = t.sub(t.mean());
        return centred.mul(centred).mean().sqrt();
      }));
      const result = await withFreshGrads(params, async () => {
        // Each layer's output h is cut from the graph and fed on as a leaf, so the
        // gradient reaching it (dL/dh) can be read before it flows further down.
        const preActivations: Tensor[] = [];
        const outputs: Tensor[] = [];
        const leaves: Tensor[] = [];
        let input = x;
        for (const [lin, a] of layers) {
          const z = lin.forward(input);
          const h = a.forward(z);
          const leaf = h.detach();
          leaf.requiresGrad = true;
          preActivations.push(z);
          outputs.push(h);
          leaves.push(leaf);
          input = leaf;
        }
        const activationStd = outputs.map(std);
        const backpropStd: Tensor[] = new Array(depth);
        let upstream = randn([samples, width], { seed: seed + 2 });
        for (let l = depth - 1; l >= 0; l--) {
          backpropStd[l] = std(upstream);
          outputs[l].backward(upstream);
          upstream.dispose();
          if (l > 0) {
            upstream = leaves[l - 1].grad!;
            leaves[l - 1].grad = null;
          }
        }
        const gradientStd = layers.map(([lin]) => std(lin.weight.grad!));
        for (const t of [...preActivations, ...outputs, ...leaves]) t.dispose();
        return {
          activationStd: await readScalars(activationStd),
          gradientStd: await readScalars(gradientStd),
          backpropStd: await readScalars(backpropStd),
        };
      });
      for (const [lin, a] of layers) {
        lin.dispose();
        a.dispose();
      }
      x.dispose();
      results.push({ initializer: init, activation: act, ...result });
    }
  }
  return { depth, width, results };
}
