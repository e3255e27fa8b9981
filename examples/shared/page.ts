// What every example page shares: choosing the backend (WebGPU when the browser has it,
// else the CPU, said plainly on the page), a status line, and errors shown on the page.
import * as gs from '../../index';

export interface BackendChoice {
  /** 'webgpu' or 'cpu': what the tensors of this page run on. */
  kind: 'webgpu' | 'cpu';
  description: string;
  /** Why WebGPU was not used, when it was not. */
  fallbackReason?: string;
}

/**
 * Pick WebGPU with the page's navigator.gpu, falling back to the CPU, and show which in
 * the element #backend. `?backend=cpu` in the URL forces the CPU (for comparing).
 */
export async function chooseBackend(): Promise<BackendChoice> {
  const banner = document.getElementById('backend');
  const forced = new URLSearchParams(location.search).get('backend');
  let choice: BackendChoice;
  if (forced === 'cpu') {
    await gs.setBackend('cpu');
    choice = { kind: 'cpu', description: gs.getBackend().description, fallbackReason: 'the CPU was asked for (?backend=cpu)' };
  } else if (!('gpu' in navigator) || !navigator.gpu) {
    await gs.setBackend('cpu');
    choice = { kind: 'cpu', description: gs.getBackend().description, fallbackReason: 'this browser has no WebGPU (navigator.gpu is missing)' };
  } else {
    try {
      const description = await gs.setBackend('webgpu', { gpu: navigator.gpu });
      choice = { kind: 'webgpu', description };
    } catch (error) {
      await gs.setBackend('cpu');
      choice = { kind: 'cpu', description: gs.getBackend().description, fallbackReason: (error as Error).message };
    }
  }
  if (banner) {
    banner.dataset.backend = choice.kind;
    banner.className = choice.kind === 'webgpu' ? 'backend webgpu' : 'backend cpu';
    banner.textContent =
      choice.kind === 'webgpu'
        ? `Backend: WebGPU — ${choice.description}`
        : `Backend: CPU (fell back from WebGPU: ${choice.fallbackReason}) — ${choice.description}`;
  }
  return choice;
}

/** Show an error on the page (and in the console, where the browser tests see it). */
export function showError(error: unknown): void {
  const box = document.getElementById('error');
  const message = error instanceof Error ? error.message : String(error);
  if (box) {
    box.textContent = message;
    box.hidden = false;
  }
  console.error(error);
}

/** Set a status line and mirror a machine-readable value into data-value for the tests. */
export function setOutput(id: string, text: string, value?: number | string): void {
  const el = document.getElementById(id);
  if (!el) return;
  el.textContent = text;
  if (value !== undefined) el.dataset.value = String(value);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page element #${id} is missing`);
  return el as T;
}

/** Yield to the browser so plots repaint between training steps. */
export function nextFrame(): Promise<void> {
  return new Promise((ok) => requestAnimationFrame(() => ok()));
}

/** Mark the page ready for the tests (body[data-ready]) once its first render is done. */
export function markReady(): void {
  document.body.dataset.ready = 'true';
}

export const plotConfig = { displaylogo: false, responsive: true, displayModeBar: 'hover' };
export { gs };

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1d2330; max-width: 1200px; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
a { color: #2756c5; }
.backend { padding: 0.4rem 0.7rem; border-radius: 6px; display: inline-block; margin: 0.4rem 0; font-size: 0.9rem; }
.backend.webgpu { background: #e3f6e8; border: 1px solid #5bb574; }
.backend.cpu { background: #fff2d6; border: 1px solid #e0a526; font-weight: 600; }
#error { background: #fde3e3; border: 1px solid #d33; padding: 0.5rem; white-space: pre-wrap; }
.controls { display: flex; flex-wrap: wrap; gap: 0.6rem 1.2rem; align-items: center; margin: 0.8rem 0; }
.controls label { display: flex; gap: 0.4rem; align-items: center; font-size: 0.9rem; }
.row { display: flex; flex-wrap: wrap; gap: 1rem; }
.plot { width: 560px; height: 380px; }
.formula { font-family: ui-monospace, monospace; background: #f3f5f9; padding: 0.3rem 0.5rem; border-radius: 4px; }
output { font-family: ui-monospace, monospace; }
textarea { font-family: ui-monospace, monospace; font-size: 0.85rem; display: block; margin-bottom: 0.4rem; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccd; padding: 0.2rem 0.5rem; font-size: 0.9rem; }
`;

/** The shared stylesheet, injected once (the pages are single files plus a bundle). */
export function injectStyle(): void {
  const style = document.createElement('style');
  style.textContent = STYLE;
  document.head.appendChild(style);
}
