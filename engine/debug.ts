// gs.debug.wgsl: "show the shader". For an activation, the exact WGSL that the WebGPU
// backend builds from its spec — elementwise forward, backward (dX = dY ⊙ f′), the
// fused linear forward act(X·Wᵀ + b) with the matmul variant of the current adapter,
// and each trainable parameter's gradient terms. For any other op, the WGSL the
// current WebGPU backend last built for it (run the op first).

import type { ActivationSpec } from './activation-spec';
import { paramLayout } from './activation-spec';
import { lookupActivation } from './activation-registry';
import { getBackend } from './backend-registry';
import { activationBackwardKernel, activationForwardKernel, activationParamTermsKernel } from '../kernels/activation';
import { matmulKernel, vec4Operands, type MatmulVariant } from '../kernels/matmul';

export interface ShaderListing {
  /** What the kernel does, e.g. 'gelu: fused linear forward (blocked4x4)'. */
  title: string;
  /** The kernel's name as the backend's pipeline cache knows it (wgslFor(name)). */
  kernel: string;
  wgsl: string;
}

export interface WgslOptions {
  /** Layer shape of the fused linear (X [m, k], W [n, k]): decides the vec4 loads. */
  linear?: { m: number; k: number; n: number };
  /** Channels of a per-channel parameter (PReLU(num_parameters=C)). */
  channels?: number;
  /** Matmul variant; default: the current WebGPU backend's, else 'tiled'. */
  variant?: MatmulVariant;
}

function isActivation(x: string | ActivationSpec): ActivationSpec | null {
  if (typeof x !== 'string') return x;
  try {
    return lookupActivation(x);
  } catch {
    return null;
  }
}

/** The WGSL for an activation (generated from its spec) or an op (as last built on WebGPU). */
export function wgsl(opOrActivation: string | ActivationSpec, options: WgslOptions = {}): ShaderListing[] {
  const backend = getBackend();
  const spec = isActivation(opOrActivation);
  if (spec && spec.kind !== 'output') {
    const layout = paramLayout(spec, options.channels);
    const shape = { spec, layout };
    const usesInput = spec.derivativeUses !== 'output';
    const variant = options.variant ?? backend.matmulVariant ?? 'tiled';
    const { m = 1, k = 1, n = 1 } = options.linear ?? {};
    const vec = options.linear ? vec4Operands(false, true, m, k, n) : { vecA: false, vecB: false };
    const forward = activationForwardKernel(shape);
    const backward = activationBackwardKernel(shape, usesInput, !usesInput);
    const linear = matmulKernel({ variant, transA: false, transB: true, bias: true, act: shape, keepZ: usesInput, ...vec });
    const listings: ShaderListing[] = [
      { title: `${spec.name}: fused linear forward act(X·Wᵀ + b) (${variant}${usesInput ? ', keeps Z' : ''})`, kernel: linear.name, wgsl: linear.wgsl },
      { title: `${spec.name}: elementwise forward`, kernel: forward.name, wgsl: forward.wgsl },
      { title: `${spec.name}: backward dX = dY ⊙ f′(${usesInput ? 'Z' : 'Y'})`, kernel: backward.name, wgsl: backward.wgsl },
    ];
    for (const p of layout) {
      if (!p.trainable) continue;
      const terms = activationParamTermsKernel(shape, p.name, p.perChannel && p.length > 1, usesInput, !usesInput);
      listings.push({ title: `${spec.name}: gradient terms of parameter '${p.name}'`, kernel: terms.name, wgsl: terms.wgsl });
    }
    return listings;
  }
  const name = String(typeof opOrActivation === 'string' ? opOrActivation : opOrActivation.name);
  const sources = backend.wgslSources?.();
  if (!sources) {
    throw new Error(`debug.wgsl('${name}'): the current backend (${backend.name}) runs no WGSL; call gs.setBackend('webgpu') and run the op first`);
  }
  const key = name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  const found = [...sources].filter(([kernel]) => kernel === key || kernel.startsWith(`${key}_`));
  if (found.length === 0) {
    throw new Error(
      `debug.wgsl('${name}'): no kernel of that name has run on this device yet (built so far: ${[...sources.keys()].join(', ') || 'none'}); ` +
        'activations are generated from their spec by name',
    );
  }
  return found.map(([kernel, text]) => ({ title: `${kernel} (as last built on this device)`, kernel, wgsl: text }));
}

/** Every kernel the current WebGPU backend has built, by name. */
export function kernels(): string[] {
  const sources = getBackend().wgslSources?.();
  return sources ? [...sources.keys()] : [];
}
