// The built-in activations, one spec per file. The order here is the order of
// gs.activations.names(), the docs and the comparison experiment.

import type { ActivationSpec } from '../../engine/activation-spec';
import { relu } from './relu';
import { sigmoid } from './sigmoid';
import { tanh } from './tanh';

export const BUILTIN_ACTIVATIONS: readonly ActivationSpec[] = [sigmoid, tanh, relu];
