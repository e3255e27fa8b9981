// Optimizer updates in place on the device, one thread per parameter element, exactly
// as torch.optim.SGD and torch.optim.Adam (see the CPU backend for the formulas). As
// there, weight decay 0 adds no term at all: 0·∞ would turn an infinite parameter NaN.

import { bindingsWgsl, FLAT_INDEX, MAIN_1D, type KernelSource, type StorageBinding, type UniformField } from './wgsl-common';

export function sgdKernel(withVelocity: boolean): KernelSource {
  const storage: StorageBinding[] = [
    { name: 'param', access: 'read_write' },
    { name: 'grad', access: 'read' },
  ];
  if (withVelocity) storage.push({ name: 'velocity', access: 'read_write' });
  const uniforms: UniformField[] = [
    { name: 'size', type: 'u32' },
    { name: 'firstStep', type: 'u32' },
    { name: 'nesterov', type: 'u32' },
    { name: 'lr', type: 'f32' },
    { name: 'momentum', type: 'f32' },
    { name: 'dampening', type: 'f32' },
    { name: 'weightDecay', type: 'f32' },
  ];
  const momentum = withVelocity
    ? `if (u_momentum() != 0.0) {
    var v = u_momentum() * velocity[i] + (1.0 - u_dampening()) * g;
    if (u_firstStep() != 0u) { v = g; }
    velocity[i] = v;
    g = select(v, g + u_momentum() * v, u_nesterov() != 0u);
  }`
    : '';
  const wgsl = `${bindingsWgsl(storage, uniforms)}
${MAIN_1D} {
  let i = ${FLAT_INDEX};
  if (i >= u_size()) { return; }
  var g = grad[i];
  if (u_weightDecay() != 0.0) { g += u_weightDecay() * param[i]; }
  ${momentum}
  param[i] = param[i] - u_lr() * g;
}`;
  return { name: withVelocity ? 'sgd_momentum' : 'sgd', wgsl, storage, uniforms };
}

export function adamKernel(): KernelSource {
  const storage: StorageBinding[] = [
    { name: 'param', access: 'read_write' },
    { name: 'grad', access: 'read' },
    { name: 'm', access: 'read_write' },
    { name: 'v', access: 'read_write' },
  ];
  const uniforms: UniformField[] = [
    { name: 'size', type: 'u32' },
    { name: 'decoupled', type: 'u32' },
    { name: 'lr', type: 'f32' },
    { name: 'beta1', type: 'f32' },
    { name: 'beta2', type: 'f32' },
    { name: 'eps', type: 'f32' },
    { name: 'weightDecay', type: 'f32' },
    // 1 - β₁ᵗ and √(1 - β₂ᵗ), computed on the host in float64.
    { name: 'bias1', type: 'f32' },
    { name: 'sqrtBias2', type: 'f32' },
  ];
  const wgsl = `${bindingsWgsl(storage, uniforms)}
${MAIN_1D} {
  let i = ${FLAT_INDEX};
  if (i >= u_size()) { return; }
  var g = grad[i];
  var p = param[i];
  if (u_decoupled() != 0u) { p = p * (1.0 - u_lr() * u_weightDecay()); } else if (u_weightDecay() != 0.0) { g = g + u_weightDecay() * p; }
  let mi = u_beta1() * m[i] + (1.0 - u_beta1()) * g;
  let vi = u_beta2() * v[i] + (1.0 - u_beta2()) * g * g;
  m[i] = mi;
  v[i] = vi;
  let denom = sqrt(vi) / u_sqrtBias2() + u_eps();
  param[i] = p - (u_lr() / u_bias1()) * (mi / denom);
}`;
  return { name: 'adam', wgsl, storage, uniforms };
}
