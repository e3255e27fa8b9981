// The built-in activations, one spec per file. The order here is the order of
// gs.activations.names(), the docs and the comparison experiment: classic, the ReLU
// family, smooth gates, trainable, random, and the output activation last.

import type { ActivationSpec } from '../../engine/activation-spec';
import { adaptiveSigmoid } from './adaptive-sigmoid';
import { bspline } from './bspline';
import { celu } from './celu';
import { elu } from './elu';
import { gelu } from './gelu';
import { geluTanh } from './gelu-tanh';
import { hardsigmoid } from './hardsigmoid';
import { hardswish } from './hardswish';
import { identity } from './identity';
import { leakyRelu } from './leaky-relu';
import { mish } from './mish';
import { prelu } from './prelu';
import { rational } from './rational';
import { relu } from './relu';
import { relu6 } from './relu6';
import { rrelu } from './rrelu';
import { selu } from './selu';
import { sigmoid } from './sigmoid';
import { silu } from './silu';
import { softmaxSpec } from './softmax';
import { softplus } from './softplus';
import { softsign } from './softsign';
import { staf } from './staf';
import { step } from './step';
import { swish } from './swish';
import { swishTrainable } from './swish-trainable';
import { tanh } from './tanh';
import { telu } from './telu';
import { trainableElu } from './trainable-elu';

export const BUILTIN_ACTIVATIONS: readonly ActivationSpec[] = [
  step,
  identity,
  sigmoid,
  tanh,
  softsign,
  relu,
  relu6,
  leakyRelu,
  elu,
  selu,
  celu,
  gelu,
  geluTanh,
  silu,
  swish,
  mish,
  hardswish,
  hardsigmoid,
  softplus,
  prelu,
  swishTrainable,
  telu,
  trainableElu,
  staf,
  rational,
  adaptiveSigmoid,
  bspline,
  rrelu,
  softmaxSpec,
];
