// Registers the WebGPU backend with the registry: gs.setBackend('webgpu' | 'auto')
// opens a device (device.ts) and wraps it in a WebGpuBackend. The debug flag comes from
// BackendOptions.debugWgsl or the environment variable GRADSCOPE_DEBUG_WGSL=1.

import { registerBackendFactory } from '../../backend-registry';
import { openDevice } from './device';
import { WebGpuBackend } from './webgpu-backend';

export { WebGpuBackend, GpuStorage, type ActivationCompileMessage } from './webgpu-backend';

function debugFromEnv(): boolean {
  // Node's process, where there is one (the page bundle has none).
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.GRADSCOPE_DEBUG_WGSL === '1';
}

registerBackendFactory('webgpu', async (options) => {
  const { device, adapter } = await openDevice(options);
  return new WebGpuBackend(device, adapter, { debugWgsl: options.debugWgsl ?? debugFromEnv() });
});
