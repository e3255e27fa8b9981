// Compiled pipelines, cached by a key that covers everything that changes the WGSL
// text (shapes travel as uniforms, so one pipeline serves every shape). Each source is
// reflected with wgsl_reflect: the bind-group layout is built from what the shader
// declares, and checked against what the host will bind. Compilation runs inside an
// error scope; a failure becomes an Error carrying the compiler's messages and lines.

import { ResourceType, WgslReflect } from '../../../kernels/wgsl-reflect';
import type { KernelSource } from '../../../kernels/wgsl-common';

export interface CompiledKernel {
  source: KernelSource;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

/** Most pipelines kept; the oldest is dropped beyond this. */
const MAX_PIPELINES = 512;
const STORAGE_STAGE = 0x4; // GPUShaderStage.COMPUTE

export interface CompilerMessage {
  type: string;
  message: string;
  line: number;
  column: number;
}

export async function compilerMessages(module: GPUShaderModule): Promise<CompilerMessage[]> {
  const info = await module.getCompilationInfo();
  return info.messages.map((m) => ({ type: m.type, message: m.message, line: m.lineNum, column: m.linePos }));
}

/** 'line 12:5: error: ...' followed by the offending source line. */
export function formatCompilerMessages(messages: readonly CompilerMessage[], wgsl: string): string {
  const lines = wgsl.split('\n');
  return messages
    .map((m) => `  line ${m.line}:${m.column}: ${m.type}: ${m.message}\n    ${(lines[m.line - 1] ?? '').trim()}`)
    .join('\n');
}

/**
 * The layout entries the shader declares, checked against the host's list: the storage
 * bindings in order with the access the kernel says, then one uniform block.
 */
export function reflectLayout(source: KernelSource): GPUBindGroupLayoutEntry[] | null {
  let reflect: WgslReflect;
  try {
    reflect = new WgslReflect(source.wgsl);
  } catch {
    return null; // not parseable: the compiler will say why, with lines
  }
  const declared = (reflect.getBindGroups()[0] ?? []).filter((v) => v !== undefined);
  const expected = source.storage.length + 1;
  if (declared.length !== expected) {
    throw new Error(
      `WGSL kernel '${source.name}' declares ${declared.length} bindings in group 0 but the host binds ${expected} ` +
        `(${source.storage.map((s) => s.name).join(', ')}, uniforms)`,
    );
  }
  return declared.map((v) => {
    const host = source.storage[v.binding];
    if (v.resourceType === ResourceType.Uniform) {
      if (v.binding !== source.storage.length) {
        throw new Error(`WGSL kernel '${source.name}': uniform block at binding ${v.binding}, host expects ${source.storage.length}`);
      }
      return { binding: v.binding, visibility: STORAGE_STAGE, buffer: { type: 'uniform' as const } };
    }
    if (v.resourceType !== ResourceType.Storage || !host) {
      throw new Error(`WGSL kernel '${source.name}': binding ${v.binding} ('${v.name}') is not a storage buffer the host binds`);
    }
    const readOnly = v.access === 'read';
    if (readOnly !== (host.access === 'read')) {
      throw new Error(
        `WGSL kernel '${source.name}': binding ${v.binding} ('${v.name}') is declared ${v.access || 'read'} but the host binds it ${host.access}`,
      );
    }
    return {
      binding: v.binding,
      visibility: STORAGE_STAGE,
      buffer: { type: readOnly ? ('read-only-storage' as const) : ('storage' as const) },
    };
  });
}

/** The layout from the kernel's own binding list (when the text cannot be reflected). */
function declaredLayout(source: KernelSource): GPUBindGroupLayoutEntry[] {
  const entries: GPUBindGroupLayoutEntry[] = source.storage.map((b, binding) => ({
    binding,
    visibility: STORAGE_STAGE,
    buffer: { type: b.access === 'read' ? ('read-only-storage' as const) : ('storage' as const) },
  }));
  entries.push({ binding: source.storage.length, visibility: STORAGE_STAGE, buffer: { type: 'uniform' } });
  return entries;
}

export class PipelineCache {
  private readonly pipelines = new Map<string, CompiledKernel>();
  /** The WGSL text of the latest pipeline built under each kernel name (gs.debug.wgsl). */
  readonly sources = new Map<string, string>();

  constructor(
    private readonly device: GPUDevice,
    private readonly debugWgsl: boolean,
    /** Called when a compilation fails after the fact (errors arrive asynchronously). */
    private readonly onError: (error: Error) => void,
  ) {}

  private readonly pending = new Set<Promise<void>>();

  /** Resolves when every compilation started so far has reported. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  get size(): number {
    return this.pipelines.size;
  }

  /** The cached pipeline for key, building it from make() the first time. */
  get(key: string, make: () => KernelSource): CompiledKernel {
    const hit = this.pipelines.get(key);
    if (hit) return hit;
    const compiled = this.build(make());
    if (this.pipelines.size >= MAX_PIPELINES) this.pipelines.delete(this.pipelines.keys().next().value as string);
    this.pipelines.set(key, compiled);
    return compiled;
  }

  private build(source: KernelSource): CompiledKernel {
    if (this.debugWgsl) console.log(`// gradscope WGSL: ${source.name}\n${source.wgsl}`);
    this.sources.set(source.name, source.wgsl);
    // Text wgsl_reflect cannot parse (a user's broken activation) gets the layout the
    // kernel declares, so that the compiler, whose messages carry lines, says what is wrong.
    const entries = reflectLayout(source) ?? declaredLayout(source);
    const device = this.device;
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code: source.wgsl, label: source.name });
    const layout = device.createBindGroupLayout({ entries, label: source.name });
    const pipeline = device.createComputePipeline({
      label: source.name,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    });
    const check = device.popErrorScope().then(async (error) => {
      if (!error) return;
      const messages = (await compilerMessages(module)).filter((m) => m.type === 'error');
      const detail = messages.length ? formatCompilerMessages(messages, source.wgsl) : `  ${error.message}`;
      this.onError(new Error(`WGSL kernel '${source.name}' failed to compile:\n${detail}`));
    });
    this.pending.add(check);
    void check.finally(() => this.pending.delete(check));
    return { source, pipeline, layout };
  }
}
