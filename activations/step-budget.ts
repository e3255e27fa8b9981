// A copy of an activation spec whose WGSL counts its own steps, for the validation run
// of a user activation. WGSL forbids recursion, so a shader can only run for long
// through loops (or calls inside them): every loop iteration and every call of a user
// function spends one step of a per-element budget, and once it is spent loops break and
// functions return at once. The validation run therefore always ends soon, and never
// leaves a runaway kernel on the device (on SwiftShader a running kernel cannot be
// stopped: even GPUDevice.destroy() waits for it). The element whose budget ran out
// reads back as STEP_BUDGET_SPENT, in f and f'. The kernels that train run the user's
// text unchanged.

import type { ActivationSpec } from '../engine/activation-spec';

/** Loop iterations plus user function calls one element may take in a validation run. */
export const STEP_BUDGET = 65_536;

/** What f and f' read back as for an element that spent its budget (−FLT_MAX). */
export const STEP_BUDGET_SPENT = -3.4028234663852886e38;

const PRELUDE = `var<private> gs_budget_left: u32 = ${STEP_BUDGET}u;
var<private> gs_budget_spent: bool = false;
fn gs_budget_step() -> bool {
  if (gs_budget_left == 0u) { gs_budget_spent = true; return true; }
  gs_budget_left = gs_budget_left - 1u;
  return false;
}`;

const SPENT_WGSL = '-0x1.fffffep+127f';

/** The spec with the step count woven into all its WGSL (f, df, dparams and helpers). */
export function withStepBudget(spec: ActivationSpec): ActivationSpec {
  const w = spec.wgsl;
  const fns = [
    PRELUDE,
    w.helpers ? countSteps(w.helpers) : '',
    `fn gs_budget_f(x: f32, ch: u32) -> f32 {${countSteps(w.f, 'f32')}\n}`,
    `fn gs_budget_df(x: f32, y: f32, ch: u32) -> f32 {${countSteps(w.df, 'f32')}\n}`,
  ];
  const dparams: Record<string, string> = {};
  for (const [name, body] of Object.entries(w.dparams ?? {})) {
    fns.push(`fn gs_budget_dp_${name}(x: f32, y: f32, ch: u32, i: u32) -> f32 {${countSteps(body, 'f32')}\n}`);
    dparams[name] = reportSpent(`gs_budget_dp_${name}(x, y, ch, i)`);
  }
  return {
    ...spec,
    wgsl: { helpers: fns.join('\n'), f: reportSpent('gs_budget_f(x, ch)'), df: reportSpent('gs_budget_df(x, y, ch)'), dparams },
  };
}

function reportSpent(call: string): string {
  return `let gs_value = ${call};\nreturn select(gs_value, ${SPENT_WGSL}, gs_budget_spent);`;
}

/**
 * WGSL text with a step spent at the top of every loop body and every function body
 * (`bodyReturns`: the return type when the text is itself a function body). Comments
 * are skipped; a loop's body is the first '{' after `loop`, `for` or `while` (WGSL
 * expressions hold no braces), a function's the first '{' after `fn`.
 */
export function countSteps(text: string, bodyReturns?: string): string {
  let out = bodyReturns ? `\n  if (gs_budget_step()) { return ${bodyReturns}(); }\n` : '';
  let awaiting: 'loop' | 'fn' | null = null;
  let signature = '';
  let i = 0;
  while (i < text.length) {
    const comment = matchAt(LINE_COMMENT, text, i) ?? blockCommentAt(text, i);
    if (comment) {
      out += comment;
      i += comment.length;
      continue;
    }
    const word = matchAt(WORD, text, i);
    if (word) {
      if (word === 'loop' || word === 'for' || word === 'while') awaiting ??= 'loop';
      if (word === 'fn') {
        awaiting = 'fn';
        signature = '';
      } else if (awaiting === 'fn') signature += word;
      out += word;
      i += word.length;
      continue;
    }
    const ch = text[i];
    out += ch;
    i++;
    if (ch === '{' && awaiting) {
      out += awaiting === 'loop' ? ' if (gs_budget_step()) { break; }' : ` if (gs_budget_step()) { return${zeroOf(signature)}; }`;
      awaiting = null;
    } else if (awaiting === 'fn') signature += ch;
  }
  return out;
}

const LINE_COMMENT = /\/\/[^\n]*/y;
const WORD = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*/y;

function matchAt(pattern: RegExp, text: string, at: number): string | null {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0] ?? null;
}

/** The WGSL block comment starting at `at` (they nest), or null. */
function blockCommentAt(text: string, at: number): string | null {
  if (!text.startsWith('/*', at)) return null;
  let depth = 0;
  for (let i = at; i < text.length - 1; i++) {
    if (text.startsWith('/*', i)) {
      depth++;
      i++;
    } else if (text.startsWith('*/', i)) {
      depth--;
      i++;
      if (depth === 0) return text.slice(at, i + 1);
    }
  }
  return text.slice(at); // unterminated: the compiler has already refused it
}

/** ' T()' for a signature '(...) -> T', '' when it returns nothing. */
function zeroOf(signature: string): string {
  const arrow = signature.lastIndexOf('->');
  return arrow < 0 ? '' : ` ${signature.slice(arrow + 2).trim()}()`;
}
