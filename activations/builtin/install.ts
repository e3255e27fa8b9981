// Fills the engine's activation table with the built-ins, in their order. The package
// entry imports this module first, so the table is full before any user code runs; a
// module that looks activations up by name without going through the entry (the
// comparison's options, a worker, a test of engine pieces) imports it too.

import { addActivationSpec } from '../../engine/activation-registry';
import { BUILTIN_ACTIVATIONS } from './index';

for (const spec of BUILTIN_ACTIVATIONS) addActivationSpec(spec);
