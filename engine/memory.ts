// Who frees a tensor's storage. Three ways, from explicit to automatic:
//  1. t.dispose();
//  2. gs.tidy(fn): every tensor made inside fn and not returned (or kept) is disposed
//     when fn returns;
//  3. a FinalizationRegistry releases the storage of a tensor the GC collected, as a
//     safety net (GPU memory is not seen by the GC, so do not rely on it in loops).
// Storage may be shared between tensors (reshape is a view), so it is refcounted.

import type { Backend, Storage } from './backend';

/** A backend storage shared by the tensors that view it. */
export class DataRef {
  private refs = 1;
  constructor(
    readonly backend: Backend,
    readonly storage: Storage,
    readonly size: number,
  ) {}

  retain(): this {
    this.refs++;
    return this;
  }

  release(): void {
    if (this.refs <= 0) return;
    if (--this.refs === 0) this.backend.release(this.storage);
  }

  get alive(): boolean {
    return this.refs > 0;
  }
}

export interface Disposable {
  dispose(): void;
}

const scopes: Set<Disposable>[] = [];
const finalizer = new FinalizationRegistry<DataRef>((ref) => ref.release());

/** Called by every Tensor constructor. */
export function track(t: Disposable, ref: DataRef): void {
  scopes[scopes.length - 1]?.add(t);
  finalizer.register(t, ref, t);
}

/** Called by Tensor.dispose(). */
export function untrack(t: Disposable): void {
  finalizer.unregister(t);
  for (const scope of scopes) scope.delete(t);
}

/** Take a tensor out of every enclosing tidy() so it survives the scope (parameters, gradients, optimizer state). */
export function keep<T extends Disposable>(t: T): T {
  for (const scope of scopes) scope.delete(t);
  return t;
}

/**
 * Run fn and dispose every tensor it created that is not in its result (a tensor, or
 * an array or plain object holding tensors, one level deep) and was not kept.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) {
      throw new Error('tidy() takes a synchronous function: await readbacks after it returns');
    }
  } catch (error) {
    // A failed step must not leak what it made (GPU memory is not seen by the GC).
    scopes.pop();
    for (const t of scope) t.dispose();
    throw error;
  }
  scopes.pop();
  const survivors = new Set<unknown>();
  const collect = (v: unknown) => {
    if (v && typeof v === 'object') survivors.add(v);
  };
  collect(result);
  if (Array.isArray(result)) result.forEach(collect);
  else if (result && typeof result === 'object' && Object.getPrototypeOf(result) === Object.prototype) {
    Object.values(result as object).forEach(collect);
  }
  for (const t of scope) {
    if (survivors.has(t)) scopes[scopes.length - 1]?.add(t);
    else t.dispose();
  }
  return result;
}
