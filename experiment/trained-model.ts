// A trained network of the comparison as files (--save-models): its weights as
// safetensors under PyTorch's state_dict names, and a small JSON that says how to build
// the same network again: gs.nn.mlp(description.mlp), then loadStateDict with the
// tensors. No Node APIs: the command line writes the bytes (cli/output.ts).

import { saveSafetensors } from '../nn/io/index';
import type { Sequential } from '../nn/sequential';
import type { ActivationChoice, ActivationParams } from './activation-choices';
import type { CompareOptions } from './options';

/** What gs.nn.mlp takes to build the network again (its weights then come from the .safetensors file). */
export interface MlpDescription {
  input: number;
  hidden: number[];
  output: number;
  /** The activation's name; absent for the no-activation baseline (noActivation: true). */
  activation?: string;
  /** The activation's parameters as the run gave them (trainable ones start there; their trained values are in the tensors). */
  activationParams: ActivationParams;
  noActivation: boolean;
  /** One activation module after every hidden layer: its trainable parameters are stored once, under the first layer's name. */
  shareActivation: boolean;
  /** The initializer and seed the run started from (the loaded weights replace what they draw). */
  init: string;
  seed: number;
}

/** The JSON written beside each .safetensors file. */
export interface ModelDescription {
  format: 'gradscope-model';
  version: 1;
  label: string;
  /** The activation's canonical name ('none': the baseline). */
  activation: string;
  params: ActivationParams;
  mlp: MlpDescription;
  /** Every tensor of the .safetensors file, by PyTorch state_dict name, in the model's order. */
  tensors: { name: string; shape: number[] }[];
  /** How the network was trained, for the reader (results.json has every setting). */
  trainedWith: Pick<CompareOptions, 'protocol' | 'dataset' | 'normalize' | 'optimizer' | 'lr' | 'momentum' | 'batch' | 'epochs' | 'steps' | 'seed' | 'init'>;
}

export interface TrainedModel {
  description: ModelDescription;
  /** The weights as a safetensors file (float32, little-endian). */
  safetensors: Uint8Array;
}

/** The description and safetensors bytes of a trained network (read back from the device once). */
export async function trainedModel(model: Sequential, choice: ActivationChoice, mlp: MlpDescription, options: CompareOptions): Promise<TrainedModel> {
  const state = model.stateDict();
  const { protocol, dataset, normalize, optimizer, lr, momentum, batch, epochs, steps, seed, init } = options;
  const description: ModelDescription = {
    format: 'gradscope-model',
    version: 1,
    label: choice.label,
    activation: choice.activation,
    params: choice.params,
    mlp,
    tensors: Object.entries(state).map(([name, t]) => ({ name, shape: [...t.shape] })),
    trainedWith: { protocol, dataset, normalize, optimizer, lr, momentum, batch, epochs, steps, seed, init },
  };
  // 'format: pt' as safetensors.torch writes it; the description travels inside the file too.
  const safetensors = await saveSafetensors(state, { format: 'pt', gradscope: JSON.stringify(description) });
  return { description, safetensors };
}

/**
 * The file name (without extension) of each run's model: its label, with every character
 * that is not a letter, digit or one of . _ - ( ) = , + replaced by '_' (a label may
 * come from a protocol file), made unique by a number where two labels would meet.
 */
export function modelFileStems(labels: readonly string[]): Map<string, string> {
  const stems = new Map<string, string>();
  const taken = new Set<string>();
  for (const label of labels) {
    let base = label.replace(/[^A-Za-z0-9._()=,+-]/g, '_');
    if (/^\.*$/.test(base)) base = `model${base}`; // never '', '.' or '..'
    let stem = base;
    for (let n = 2; taken.has(stem.toLowerCase()); n++) stem = `${base}-${n}`;
    taken.add(stem.toLowerCase());
    stems.set(label, stem);
  }
  return stems;
}
