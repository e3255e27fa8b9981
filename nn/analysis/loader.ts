// A loader is any iterable or async iterable of batches { x: Tensor, y }: an array,
// a generator, a gs.data.DataLoader. Analyses stream over it once.

import { Tensor } from '../../engine/tensor';

export interface Batch {
  x: Tensor;
  y?: unknown;
}

export type Loader = Iterable<Batch> | AsyncIterable<Batch>;

export async function* batchesOf(loader: Loader, op: string): AsyncGenerator<Batch> {
  // The caller's object, unchecked until here: look for either iterator before using it.
  const iterable = loader as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown } | null;
  if (!iterable || (typeof iterable[Symbol.iterator] !== 'function' && typeof iterable[Symbol.asyncIterator] !== 'function')) {
    throw new Error(`${op}: loader must be an iterable or async iterable of { x: Tensor, y } batches (an array works), got ${String(loader)}`);
  }
  let index = 0;
  for await (const batch of loader) {
    if (!batch || !(batch.x instanceof Tensor)) {
      throw new Error(`${op}: batch ${index} has no tensor x (a batch is { x: Tensor, y })`);
    }
    index++;
    yield batch;
  }
  if (index === 0) throw new Error(`${op}: the loader gave no batches`);
}
