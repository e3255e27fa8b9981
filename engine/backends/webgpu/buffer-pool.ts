// A pool of GPU buffers by size class. A released buffer is NOT reusable at once: work
// already encoded but not yet submitted may still read it, and a queue.writeBuffer into
// it would land before that work runs. So releases wait in `pending` until the command
// buffer is submitted (onSubmit), then join the free lists.
//
// Every createBuffer runs inside error scopes. The caller has already checked the size
// against the device's limits; what only the device knows (out of memory) comes back
// later through the scopes, about this buffer: it is then uncounted, never pooled, and
// reported through onAllocationFailure instead of surfacing as an uncaptured error in
// some unrelated op.

export interface PooledBuffer {
  buffer: GPUBuffer;
  /** Bytes actually allocated (the size class). */
  bytes: number;
  /** Where the buffer is: in use, released but not yet submitted, free for reuse, or destroyed. */
  state: 'live' | 'pending' | 'free' | 'destroyed';
  /** The device refused to allocate it (seen after the fact, through an error scope). */
  failed?: boolean;
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
  private readonly free = new Map<number, PooledBuffer[]>();
  private pending: PooledBuffer[] = [];
  private readonly allocationChecks = new Set<Promise<void>>();
  liveBytes = 0;
  liveBuffers = 0;
  pooledBytes = 0;
  pooledBuffers = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: number,
    private readonly label: string,
    /** Told when the device turns out to have refused a buffer this pool handed out. */
    private readonly onAllocationFailure: (error: Error) => void = () => {},
    /** Free buffers beyond this many bytes are destroyed rather than kept. */
    private readonly maxPooledBytes = 512 * 1024 * 1024,
  ) {}

  /** A buffer of at least `bytes` (the caller checked them against the device's limits). */
  acquire(bytes: number): PooledBuffer {
    // Rounding up to a size class never goes past the largest buffer the device allows.
    const cls = Math.max(bytes, Math.min(sizeClass(bytes), this.device.limits.maxBufferSize));
    const reused = this.free.get(cls)?.pop();
    if (reused) {
      this.pooledBytes -= cls;
      this.pooledBuffers--;
    }
    const pooled = reused ?? this.create(cls);
    pooled.state = 'live';
    this.liveBytes += cls;
    this.liveBuffers++;
    return pooled;
  }

  private create(bytes: number): PooledBuffer {
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    const buffer = this.device.createBuffer({ size: bytes, usage: this.usage, label: `${this.label} ${bytes}B` });
    const pooled: PooledBuffer = { buffer, bytes, state: 'live' };
    const scopes = [this.device.popErrorScope(), this.device.popErrorScope()];
    const check = Promise.all(scopes).then(
      ([validation, outOfMemory]) => {
        const error = validation ?? outOfMemory;
        if (error) this.refused(pooled, error.message);
      },
      () => {}, // the device was lost: device.lost reports it
    );
    this.allocationChecks.add(check);
    void check.finally(() => this.allocationChecks.delete(check));
    return pooled;
  }

  /** The device refused a buffer after the fact: uncount it wherever it is, never hand it out again. */
  private refused(b: PooledBuffer, message: string): void {
    b.failed = true;
    if (b.state === 'live') {
      this.liveBytes -= b.bytes;
      this.liveBuffers--;
    } else if (b.state !== 'destroyed') {
      this.pooledBytes -= b.bytes;
      this.pooledBuffers--;
      if (b.state === 'free') {
        const list = this.free.get(b.bytes)!;
        list.splice(list.indexOf(b), 1);
      }
    }
    this.onAllocationFailure(new Error(`${this.label}: the device could not allocate a buffer of ${b.bytes} bytes: ${message.trim()}`));
  }

  /** Resolves once the device has answered for every buffer created so far. */
  async settled(): Promise<void> {
    await Promise.all([...this.allocationChecks]);
  }

  /** Give a buffer back; reusable after the next submit. */
  release(b: PooledBuffer): void {
    if (b.failed) {
      b.buffer.destroy();
      return;
    }
    this.liveBytes -= b.bytes;
    this.liveBuffers--;
    this.pooledBytes += b.bytes;
    this.pooledBuffers++;
    b.state = 'pending';
    this.pending.push(b);
  }

  /** Give back a buffer whose work is known to be finished (a mapped staging buffer). */
  releaseNow(b: PooledBuffer): void {
    this.release(b);
    if (b.failed) return;
    this.pending.pop();
    this.makeFree(b);
  }

  /** The command buffer using the pending buffers was submitted: they may be reused. */
  onSubmit(): void {
    const pending = this.pending;
    this.pending = [];
    for (const b of pending) if (!b.failed) this.makeFree(b);
  }

  private makeFree(b: PooledBuffer): void {
    if (this.pooledBytes > this.maxPooledBytes) {
      b.buffer.destroy();
      b.state = 'destroyed';
      this.pooledBytes -= b.bytes;
      this.pooledBuffers--;
      return;
    }
    b.state = 'free';
    let list = this.free.get(b.bytes);
    if (!list) this.free.set(b.bytes, (list = []));
    list.push(b);
  }

  destroyAll(): void {
    for (const list of this.free.values()) for (const b of list) b.buffer.destroy();
    this.free.clear();
  }
}
