// The checks gs.activations.register() runs before it accepts a user activation:
// the spec's shape; its WGSL, compiled and run on a separate validation device (WebGPU:
// Dawn in Node, navigator.gpu in a page) whatever the current backend, or only parsed
// where no WebGPU device can be had; its derivatives against float64 central
// differences of f on a grid over its range; and, on the device, its WGSL f and f'
// against its TypeScript. Each check throws an Error that names the spec, the field and
// the values involved.

import * as reflectModule from 'wgsl_reflect/wgsl_reflect.module.js';
import type { Backend } from '../engine/backend';
import {
  defaultParamValues,
  paramLayout,
  type ActivationParamValues,
  type ActivationSpec,
} from '../engine/activation-spec';
import { aliasesProblem } from '../engine/activation-registry';
import { tensor } from '../engine/creation';
import { activation as activationOp } from '../engine/ops';
import { noGrad } from '../engine/autograd';
import { createBackend, withBackend } from '../engine/backend-registry';
import { activationForwardKernel, locateSpecLine, specSectionsIn, type ActivationShape, type SpecLocation, type SpecSection } from '../kernels/activation';
import { WgslParser } from '../kernels/wgsl-reflect';
import { STEP_BUDGET, STEP_BUDGET_SPENT, withStepBudget } from './step-budget';

// The AST classes, for the call check below (see kernels/wgsl-reflect.ts for why the .module.js build).
const reflect = reflectModule as unknown as typeof import('wgsl_reflect');

/** WGSL's built-in functions a spec may call (numeric, logical, packing, array). */
const WGSL_BUILTINS = new Set(
  ('abs acos acosh all any arrayLength asin asinh atan atan2 atanh bitcast ceil clamp cos cosh countLeadingZeros ' +
    'countOneBits countTrailingZeros cross degrees determinant distance dot exp exp2 extractBits faceForward ' +
    'firstLeadingBit firstTrailingBit floor fma fract frexp insertBits inverseSqrt ldexp length log log2 max min mix ' +
    'modf normalize pow quantizeToF16 radians reflect refract reverseBits round saturate select sign sin sinh ' +
    'smoothstep sqrt step tan tanh transpose trunc pack2x16float unpack2x16float pack4x8snorm unpack4x8snorm').split(' '),
);

/** Points on the check grid over the spec's range. */
export const CHECK_GRID_POINTS = 201;
/** Derivative disagreement tolerated: |analytic − numeric| / max(1, |numeric|). */
export const DERIVATIVE_TOLERANCE = 1e-4;

export function fail(spec: { name?: unknown }, message: string): never {
  throw new Error(`gs.activations.register('${String(spec?.name)}'): ${message}`);
}

/** The spec has what the engine needs, with the right types. */
export function checkSpecShape(spec: ActivationSpec): void {
  if (!spec || typeof spec !== 'object') fail({ name: undefined }, `expects a spec object, got ${String(spec)}`);
  if (typeof spec.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(spec.name)) {
    fail(spec, `name must be a string of letters, digits, '_' or '-' starting with a letter, got ${JSON.stringify(spec.name)}`);
  }
  const aliases = aliasesProblem(spec.aliases);
  if (aliases) fail(spec, aliases);
  if (typeof spec.formula !== 'string') fail(spec, `formula must be a string, got ${typeof spec.formula}`);
  const r = spec.range;
  if (!Array.isArray(r) || r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || !(r[0] < r[1])) {
    fail(spec, `range must be [low, high] with finite low < high, got ${JSON.stringify(r)}`);
  }
  if (spec.kind !== undefined && spec.kind !== 'elementwise') {
    fail(spec, `only elementwise activations can be registered, got kind '${String(spec.kind)}'`);
  }
  if (typeof spec.cpu?.f !== 'function' || typeof spec.cpu?.df !== 'function') fail(spec, 'cpu.f and cpu.df must be functions');
  if (typeof spec.wgsl?.f !== 'string' || typeof spec.wgsl?.df !== 'string') fail(spec, 'wgsl.f and wgsl.df must be WGSL strings');
  const seen = new Set<string>();
  for (const p of spec.params ?? []) {
    if (typeof p.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(p.name)) fail(spec, `parameter name ${JSON.stringify(p.name)} is not an identifier`);
    if (seen.has(p.name)) fail(spec, `parameter '${p.name}' is declared twice`);
    seen.add(p.name);
    // The generated p_len_NAME() of a parameter NAME would clash with the accessor of 'len_NAME'.
    if (p.name.startsWith('len_') && (spec.params ?? []).some((q) => q.name === p.name.slice(4))) {
      fail(spec, `parameter '${p.name}' clashes with p_len_${p.name.slice(4)}(), the length of parameter '${p.name.slice(4)}'`);
    }
    const values = typeof p.default === 'number' ? [p.default] : p.default;
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => !Number.isFinite(v))) {
      fail(spec, `parameter '${p.name}' needs a finite default (a number or a non-empty array), got ${JSON.stringify(p.default)}`);
    }
    if (p.trainable) {
      if (typeof spec.cpu.dparams?.[p.name] !== 'function') fail(spec, `trainable parameter '${p.name}' needs cpu.dparams.${p.name}`);
      if (typeof spec.wgsl.dparams?.[p.name] !== 'string') fail(spec, `trainable parameter '${p.name}' needs wgsl.dparams.${p.name}`);
    }
  }
  checkOptions(spec, seen);
}

/** Construction options: identifiers, none named like a parameter or a module key, sizing declared vector parameters. */
function checkOptions(spec: ActivationSpec, params: Set<string>): void {
  const names = new Set<string>();
  for (const o of spec.options ?? []) {
    if (typeof o.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(o.name)) fail(spec, `option name ${JSON.stringify(o.name)} is not an identifier`);
    if (names.has(o.name) || params.has(o.name) || ['channels', 'seed', 'axis'].includes(o.name)) {
      fail(spec, `option '${o.name}' is declared twice, or named like a parameter or one of channels, seed, axis`);
    }
    names.add(o.name);
    const isWord = typeof o.default === 'string';
    if (isWord ? !o.choices?.includes(o.default as string) : !Number.isFinite(o.default)) {
      fail(spec, `option '${o.name}': its default ${JSON.stringify(o.default)} is not ${isWord ? 'one of its choices' : 'a finite number'}`);
    }
    for (const s of o.sizes ?? []) {
      const p = (spec.params ?? []).find((q) => q.name === s.param);
      if (!p || p.perChannel) fail(spec, `option '${o.name}' sizes '${s.param}', which is not a declared vector parameter`);
    }
  }
  if ((spec.options?.some((o) => o.sizes?.length) ?? false) && typeof spec.initialValues !== 'function') {
    fail(spec, 'options that size parameters need initialValues, the parameters\' values for any size');
  }
}

/** A kernel's WGSL with where the spec's fields sit in it. */
interface LocatedWgsl {
  wgsl: string;
  sections: SpecSection[];
}

/** 'wgsl.df line 2:5' for a place in the spec's text, 'generated WGSL line 40' outside it. */
function where(at: SpecLocation): string {
  const col = at.column ? `:${at.column}` : '';
  if (at.field) return `wgsl.${at.field} line ${at.line}${col}`;
  return at.line ? `generated WGSL line ${at.line}${col}` : 'WGSL';
}

/**
 * The spec's WGSL as the kernels run it: compiled on the device when there is one that
 * can (every kernel the activation runs in), otherwise parsed (syntax: the elementwise
 * forward kernel, which declares every function of the spec) with its calls and
 * parameter reads checked. Errors name the spec field and line, by the generator's own
 * line map.
 */
export async function checkWgsl(spec: ActivationSpec, device: Backend | null): Promise<'compiled' | 'parsed'> {
  const act: ActivationShape = { spec, layout: paramLayout(spec) };
  const forward = activationForwardKernel(act);
  const kernel = { wgsl: forward.wgsl, sections: specSectionsIn(forward.wgsl, act) };
  checkParamAccessors(spec, kernel);
  if (device?.compileActivation) {
    const errors = await device.compileActivation(spec);
    const described = errors.map((m) => [m, ...(m.notes ?? [])].map((n) => `${where(n)}: ${n.message}`).join(', '));
    if (errors.length > 0) fail(spec, `WGSL does not compile: ${described.join('; ')}`);
    return 'compiled';
  }
  let ast: unknown[];
  try {
    ast = new WgslParser().parse(kernel.wgsl) as unknown[];
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    const match = /Line:\s*(\d+)/.exec(text);
    const at: SpecLocation = match ? locateSpecLine(kernel.sections, Number(match[1])) : { field: null, line: 0, column: 0 };
    const message = text.replace(/\.*\s*Line:\s*\d+\s*$/, '');
    fail(spec, `WGSL does not parse: ${where(at)}: ${message}`);
  }
  checkCalls(spec, kernel, ast);
  return 'parsed';
}

/** The parser accepts calls to anything: every call must name a built-in or a function of the kernel. */
function checkCalls(spec: ActivationSpec, kernel: LocatedWgsl, ast: unknown[]): void {
  const defined = new Set<string>();
  for (const node of ast) if (node instanceof reflect.Function) defined.add(node.name);
  const seen = new Set<object>();
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (node instanceof reflect.CallExpr || node instanceof reflect.Call) {
      const call = node as { name: string; line: number };
      if (!WGSL_BUILTINS.has(call.name) && !defined.has(call.name)) {
        fail(spec, `WGSL does not compile: ${where(locateSpecLine(kernel.sections, call.line))}: unresolved call target '${call.name}'`);
      }
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(walk);
      else walk(value);
    }
  };
  ast.forEach(walk);
}

/** Every p_NAME(...) and p_len_NAME() the WGSL reads must be a declared parameter (the parser cannot tell). */
function checkParamAccessors(spec: ActivationSpec, kernel: LocatedWgsl): void {
  const declared = new Set((spec.params ?? []).map((p) => p.name));
  const code = kernel.wgsl.split('\n');
  for (const s of kernel.sections) {
    code.slice(s.firstLine, s.firstLine + s.lineCount).forEach((text, i) => {
      for (const m of text.matchAll(/\bp_([A-Za-z0-9_]+)\s*\(/g)) {
        if (!declared.has(m[1]) && !(m[1].startsWith('len_') && declared.has(m[1].slice(4)))) {
          fail(spec, `WGSL does not compile: wgsl.${s.field} line ${i + 1}: unknown parameter 'p_${m[1]}' (declared: ${[...declared].join(', ') || 'none'})`);
        }
      }
    });
  }
}

/** The check grid: evenly spaced over the range, minus small neighbourhoods of the kinks. */
function grid(spec: ActivationSpec, p: ActivationParamValues): number[] {
  const [lo, hi] = spec.range;
  const kinks = spec.kinks ? spec.kinks(p) : [];
  const radius = 1e-3 * (hi - lo);
  const xs: number[] = [];
  for (let i = 0; i < CHECK_GRID_POINTS; i++) {
    const x = lo + ((hi - lo) * i) / (CHECK_GRID_POINTS - 1);
    if (kinks.every((k) => Math.abs(x - k) > radius)) xs.push(x);
  }
  return xs;
}

interface Worst {
  x: number;
  analytic: number;
  numeric: number;
  error: number;
}

function compare(worst: Worst | null, x: number, analytic: number, numeric: number): Worst | null {
  const error = Math.abs(analytic - numeric) / Math.max(1, Math.abs(numeric));
  const e = Number.isNaN(error) ? Infinity : error;
  return worst === null || e > worst.error ? { x, analytic, numeric, error: e } : worst;
}

/** f finite on the grid; f' and each ∂f/∂param agree with float64 central differences of f. */
export function checkDerivatives(spec: ActivationSpec): void {
  const layout = paramLayout(spec);
  const p: Record<string, number[]> = {};
  (spec.params ?? []).forEach((ps, i) => (p[ps.name] = defaultParamValues(ps, layout[i].length)));
  const { f, df, dparams } = spec.cpu;
  const xs = grid(spec, p);
  const usesOutput = spec.derivativeUses === 'output';

  for (const x of xs) {
    const y = f(x, p, 0);
    if (!Number.isFinite(y)) fail(spec, `cpu.f(${x}) = ${y}: f must be finite on its range [${spec.range.join(', ')}]`);
  }

  // The backend hands df only what derivativeUses says: x is NaN when it uses the output.
  let worst: Worst | null = null;
  for (const x of xs) {
    const h = 1e-5 * Math.max(1, Math.abs(x));
    const numeric = (f(x + h, p, 0) - f(x - h, p, 0)) / (2 * h);
    worst = compare(worst, x, df(usesOutput ? NaN : x, f(x, p, 0), p, 0), numeric);
  }
  if (worst && !(worst.error <= DERIVATIVE_TOLERANCE)) {
    fail(
      spec,
      `f' disagrees with finite differences of f: worst at x = ${worst.x}: cpu.df gives ${worst.analytic}, ` +
        `finite difference ${worst.numeric}${usesOutput && Number.isNaN(worst.analytic) ? " (derivativeUses is 'output': df gets x = NaN)" : ''}`,
    );
  }

  (spec.params ?? []).forEach((ps, pi) => {
    if (!ps.trainable) return;
    const rule = dparams![ps.name];
    const values = p[ps.name];
    let w: (Worst & { index: number }) | null = null;
    for (let j = 0; j < layout[pi].length; j++) {
      for (const x of xs) {
        const original = values[j];
        const h = 1e-5 * Math.max(1, Math.abs(original));
        values[j] = original + h;
        const plus = f(x, p, 0);
        values[j] = original - h;
        const minus = f(x, p, 0);
        values[j] = original;
        const c = compare(w, x, rule(x, f(x, p, 0), p, 0, j), (plus - minus) / (2 * h));
        if (c !== w) w = { ...c!, index: j };
      }
    }
    if (w && !(w.error <= DERIVATIVE_TOLERANCE)) {
      fail(
        spec,
        `∂f/∂${ps.name}[${w.index}] disagrees with finite differences of f: worst at x = ${w.x}: ` +
          `cpu.dparams.${ps.name} gives ${w.analytic}, finite difference ${w.numeric}`,
      );
    }
  });
}

/** How far the device's f and f' may stray from the CPU functions: |gpu − cpu| / max(1, |cpu|). */
export const DEVICE_AGREEMENT_TOLERANCE = 1e-3;

/** How long a user shader's validation run may take on the device before it is refused. */
export const VALIDATION_TIMEOUT_MS = 15_000;

/** The separate device user shaders are test-run on: never the one the user's tensors live on. */
let validationDevice: Backend | null = null;
let opening: Promise<Backend> | null = null;
/** A validation device given up after a timeout, finishing its run before it is destroyed. */
let draining: Promise<void> | null = null;

/**
 * The validation device, opened on first use (null where no WebGPU device can be had).
 * A device abandoned after a timeout finishes first: a run started beside it would
 * queue behind it (SwiftShader) and be refused for a loop that is not its own.
 */
export async function openValidationDevice(): Promise<Backend | null> {
  while (draining) await draining;
  if (validationDevice) return validationDevice;
  const open = (opening ??= createBackend('webgpu').then((device) => (validationDevice = device)));
  try {
    return await open;
  } catch {
    return null;
  } finally {
    if (opening === open) opening = null;
  }
}

/** Destroy the validation device once its work is done (the next validation opens a new one). */
export async function closeValidationDevice(): Promise<void> {
  if (opening) await opening.catch(() => null);
  if (validationDevice) abandon(validationDevice);
  while (draining) await draining;
}

/**
 * Stop using a validation device and destroy it when its queue is empty: Dawn's
 * destroy() would block this thread until a running kernel ends.
 */
function abandon(device: Backend): void {
  if (validationDevice === device) validationDevice = null;
  const done: Promise<void> = (device.destroy?.() ?? Promise.resolve()).catch(() => {}).finally(() => {
    if (draining === done) draining = null;
  });
  draining = done;
}

/** Compile the spec's WGSL on the device and check it agrees with its TypeScript there. */
export async function checkOnDevice(spec: ActivationSpec, device: Backend, timeoutMs = VALIDATION_TIMEOUT_MS): Promise<void> {
  await checkWgsl(spec, device);
  await checkDeviceAgreesWithCpu(spec, device, timeoutMs);
}

/**
 * Run the spec's WGSL on the check grid on the validation device and compare f and f'
 * with its TypeScript: a spec whose two languages disagree would give different
 * results on CPU and GPU. The run counts its steps (step-budget.ts), so a loop that
 * never ends is stopped on the device and refused; a run that still takes longer than
 * timeoutMs is refused too, and its device given up and destroyed once it is done.
 */
export async function checkDeviceAgreesWithCpu(spec: ActivationSpec, device: Backend, timeoutMs = VALIDATION_TIMEOUT_MS): Promise<void> {
  const layout = paramLayout(spec);
  const values: Record<string, number[]> = {};
  (spec.params ?? []).forEach((ps, i) => (values[ps.name] = defaultParamValues(ps, layout[i].length)));
  const xs = grid(spec, values).map(Math.fround);
  const counted = withStepBudget(spec);
  // async: an error the device throws at once (a lost device) rejects like a later one.
  const run = (async () => withBackend(device, () => {
    const x = tensor(xs, { requiresGrad: true });
    const params = (spec.params ?? []).map((ps) => tensor(values[ps.name]));
    const y = activationOp(x, { spec: counted, layout, params });
    y.sum().backward();
    const read = Promise.all([y.toArray(), x.grad!.toArray()]);
    return read.finally(() => noGrad(() => [x, y, x.grad!, ...params].forEach((t) => t.dispose())));
  }))();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  let result: [Float32Array, Float32Array] | null;
  try {
    result = await Promise.race([run, timedOut]);
  } catch (error) {
    abandon(device); // whatever failed (a lost device), the next validation gets a fresh one
    fail(spec, `its validation run on the device failed: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  if (!result) {
    run.catch(() => {}); // the abandoned run may still fail later
    abandon(device);
    fail(spec, `its validation run on the device did not finish within ${timeoutMs / 1000} s; the shader never ran on the device your tensors use`);
  }
  const [fs, dfs] = result;
  const spent = xs.findIndex((_, i) => fs[i] === STEP_BUDGET_SPENT || dfs[i] === STEP_BUDGET_SPENT);
  if (spent >= 0) {
    fail(
      spec,
      `its validation run on the device stopped at x = ${xs[spent]}: one element took more than ${STEP_BUDGET} loop ` +
        'iterations and function calls (a loop that never ends?); the shader never ran on the device your tensors use',
    );
  }
  const usesOutput = spec.derivativeUses === 'output';
  let worst: { x: number; what: string; device: number; cpu: number; error: number } | null = null;
  xs.forEach((xi, i) => {
    const f = spec.cpu.f(xi, values, 0);
    const df = spec.cpu.df(usesOutput ? NaN : xi, f, values, 0);
    for (const [what, device, cpu] of [['f', fs[i], f], ["f'", dfs[i], df]] as const) {
      const error = Math.abs(device - cpu) / Math.max(1, Math.abs(cpu));
      const e = Number.isNaN(error) ? Infinity : error;
      if (!worst || e > worst.error) worst = { x: xi, what, device, cpu, error: e };
    }
  });
  const w = worst as { x: number; what: string; device: number; cpu: number; error: number } | null;
  if (w && !(w.error <= DEVICE_AGREEMENT_TOLERANCE)) {
    fail(spec, `the WGSL and TypeScript disagree: worst at x = ${w.x}: ${w.what} on ${device.name} (WGSL) gives ${w.device}, cpu gives ${w.cpu}`);
  }
}
