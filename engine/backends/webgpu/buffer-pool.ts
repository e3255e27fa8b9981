// A pool of GPU buffers by size class. A released buffer is NOT reusable at once: work
// already encoded but not yet submitted may still read it, and a queue.writeBuffer into
// it would land before that work runs. So releases wait in `pending` until the command
// buffer is submitted (onSubmit), then join the free lists.

export interface PooledBuffer {
  buffer: GPUBuffer;
  /** Bytes actually allocated (the size class). */
  bytes: number;
}

/** Size classes: 16 bytes, then four steps per power of two (at most 25% waste). */
export function sizeClass(bytes: number): number {
  if (bytes <= 16) return 16;
  const power = 2 ** Math.floor(Math.log2(bytes));
  if (power === bytes) return bytes;
  const step = power / 4;
  return Math.max(16, Math.ceil(bytes / step) * step);
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private pending: PooledBuffer[] = [];
  liveBytes = 0;
  liveBuffers = 0;
  pooledBytes = 0;
  pooledBuffers = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: number,
    private readonly label: string,
    /** Free buffers beyond this many bytes are destroyed rather than kept. */
    private readonly maxPooledBytes = 512 * 1024 * 1024,
  ) {}

  acquire(bytes: number): PooledBuffer {
    const cls = sizeClass(bytes);
    const list = this.free.get(cls);
    let buffer = list?.pop();
    if (buffer) {
      this.pooledBytes -= cls;
      this.pooledBuffers--;
    } else {
      buffer = this.device.createBuffer({ size: cls, usage: this.usage, label: `${this.label} ${cls}B` });
    }
    this.liveBytes += cls;
    this.liveBuffers++;
    return { buffer, bytes: cls };
  }

  /** Give a buffer back; reusable after the next submit. */
  release(b: PooledBuffer): void {
    this.liveBytes -= b.bytes;
    this.liveBuffers--;
    this.pooledBytes += b.bytes;
    this.pooledBuffers++;
    this.pending.push(b);
  }

  /** Give back a buffer whose work is known to be finished (a mapped staging buffer). */
  releaseNow(b: PooledBuffer): void {
    this.release(b);
    this.pending.pop();
    this.makeFree(b);
  }

  /** The command buffer using the pending buffers was submitted: they may be reused. */
  onSubmit(): void {
    const pending = this.pending;
    this.pending = [];
    for (const b of pending) this.makeFree(b);
  }

  private makeFree(b: PooledBuffer): void {
    if (this.pooledBytes > this.maxPooledBytes) {
      b.buffer.destroy();
      this.pooledBytes -= b.bytes;
      this.pooledBuffers--;
      return;
    }
    let list = this.free.get(b.bytes);
    if (!list) this.free.set(b.bytes, (list = []));
    list.push(b.buffer);
  }

  destroyAll(): void {
    for (const list of this.free.values()) for (const buffer of list) buffer.destroy();
    this.free.clear();
  }
}
