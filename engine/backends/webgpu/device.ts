// Finding a WebGPU device: the injected GPU object (navigator.gpu in a page), or in Node
// the npm package 'webgpu' (Dawn, an optional peer dependency: when it is not installed,
// the error says to run `npm install webgpu`), loaded with a dynamic import whose name is
// not a literal so that the browser bundle never pulls it in. On a machine with a GPU,
// Dawn uses the real Vulkan driver; when it finds no adapter, the SwiftShader driver that
// Debian's chromium ships is tried (its path set in VK_ICD_FILENAMES before the second
// Dawn instance is created: the Vulkan loader reads it then).

import type { BackendOptions } from '../../backend-registry';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
  isFallback: boolean;
}

export interface OpenedDevice {
  device: GPUDevice;
  adapter: AdapterSummary;
}

// Dawn crashes the process if the object returned by create() is garbage-collected
// while its adapter or device lives: every one made is kept for the process lifetime.
const keepAlive: unknown[] = [];

// globalThis is typed for neither Node nor a page here (one source serves both): its
// process and navigator are looked up as what they are where they exist.
function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return !!p?.versions?.node;
}

async function nodeImport<T>(name: string): Promise<T> {
  // A non-literal specifier: bundlers leave it alone, Node resolves it at run time.
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as T;
}

interface DawnModule {
  create(flags: string[]): GPU;
}

async function requestAdapter(gpu: GPU): Promise<GPUAdapter | null> {
  try {
    return await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch {
    return null;
  }
}

/** Find an adapter, trying each source in turn; `tried` lists what was attempted. */
async function findAdapter(options: BackendOptions, tried: string[]): Promise<GPUAdapter | null> {
  if (options.gpu) {
    const adapter = await requestAdapter(options.gpu);
    tried.push(`the injected GPU object (BackendOptions.gpu): ${adapter ? 'adapter found' : 'no adapter'}`);
    return adapter;
  }
  const navigatorGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (navigatorGpu) {
    const adapter = await requestAdapter(navigatorGpu);
    tried.push(`navigator.gpu: ${adapter ? 'adapter found' : 'no adapter'}`);
    if (adapter || !isNode()) return adapter;
  } else if (!isNode()) {
    tried.push('navigator.gpu: absent (WebGPU needs a secure context, e.g. http://127.0.0.1, and a browser that supports it)');
    return null;
  }
  const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;
  env.XDG_RUNTIME_DIR ??= '/tmp';
  let dawn: DawnModule;
  try {
    dawn = await nodeImport<DawnModule>('webgpu');
  } catch (error) {
    // An optional peer dependency: not installed is the user's choice, so say how to change it.
    if (isPackageMissing(error, 'webgpu')) throw new Error("setBackend('webgpu'): WebGPU in Node needs the npm package 'webgpu' (Dawn), which is not installed: run `npm install webgpu`");
    tried.push(`the npm package 'webgpu' (Dawn): could not be loaded (${(error as Error).message})`);
    return null;
  }
  const tryDawn = async (what: string) => {
    const gpu = dawn.create([]);
    keepAlive.push(gpu);
    const adapter = await requestAdapter(gpu);
    tried.push(`Dawn with ${what}: ${adapter ? 'adapter found' : 'no adapter'}`);
    return adapter;
  };
  const icd = env.VK_ICD_FILENAMES;
  const fs = await nodeImport<{ existsSync(path: string): boolean; readdirSync(path: string): string[] }>('node:fs');
  // With no GPU device node at all (Linux), the system drivers cannot find a GPU: skip
  // that attempt, which only prints a Dawn warning, and go straight to SwiftShader.
  const noGpuNode = !icd && !hasGpuDeviceNode(fs);
  let adapter: GPUAdapter | null = null;
  if (noGpuNode) tried.push('the system Vulkan drivers: skipped (no /dev/dri render node, /dev/nvidia* or /dev/dxg)');
  else adapter = await tryDawn(icd ? `VK_ICD_FILENAMES=${icd}` : 'the system Vulkan drivers');
  if (!adapter && !icd) {
    if (fs.existsSync(SWIFTSHADER_ICD)) {
      env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
      adapter = await tryDawn(`the SwiftShader driver (VK_ICD_FILENAMES=${SWIFTSHADER_ICD})`);
    } else {
      tried.push(`SwiftShader driver ${SWIFTSHADER_ICD}: not installed (apt-get install chromium)`);
    }
  }
  return adapter;
}

/** Whether `error`, thrown by importing `name`, says the package itself is not installed (not that it failed to load). */
function isPackageMissing(error: unknown, name: string): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === 'ERR_MODULE_NOT_FOUND' && !!message?.includes(`Cannot find package '${name}'`);
}

function hasGpuDeviceNode(fs: { existsSync(path: string): boolean; readdirSync(path: string): string[] }): boolean {
  const platform = (globalThis as unknown as { process: { platform: string } }).process.platform;
  if (platform !== 'linux') return true; // elsewhere, always ask the system drivers
  try {
    if (fs.existsSync('/dev/dri') && fs.readdirSync('/dev/dri').some((d) => d.startsWith('renderD'))) return true;
  } catch {
    return true;
  }
  return fs.existsSync('/dev/nvidia0') || fs.existsSync('/dev/dxg');
}

function summarize(adapter: GPUAdapter): AdapterSummary {
  // Where the fallback flag lives has moved between WebGPU versions (adapter.info or the
  // adapter itself), and older implementations have no adapter.info: ask each place.
  const info = (adapter as { info?: GPUAdapterInfo }).info;
  const fallback =
    (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter ??
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
    false;
  return {
    vendor: info?.vendor || 'unknown vendor',
    architecture: info?.architecture || '',
    description: info?.description || '',
    isFallback: !!fallback,
  };
}

export async function openDevice(options: BackendOptions): Promise<OpenedDevice> {
  const tried: string[] = [];
  const adapter = await findAdapter(options, tried);
  if (!adapter) throw new Error(`setBackend('webgpu'): no WebGPU adapter found. Tried: ${tried.join('; ')}`);
  const limits = adapter.limits;
  // Ask for what the adapter offers where the defaults are too small for big batches
  // and for fused kernels with several activation parameters.
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    },
  });
  keepAlive.push(adapter);
  return { device, adapter: summarize(adapter) };
}
