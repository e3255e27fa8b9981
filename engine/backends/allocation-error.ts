// What a refused allocation says, on every backend: how many values, how many bytes,
// and why it cannot be made (the device's limit, or the JavaScript engine's refusal).
// It is thrown by the call that asked for the storage, before anything is counted.

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 4000000000000 → '3.6 TiB'. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

export function allocationError(backend: string, values: number, dtype: string, bytes: number, why: string): RangeError {
  return new RangeError(`${backend} backend: cannot allocate ${values} ${dtype} values (${bytes} bytes, ${formatBytes(bytes)}): ${why}`);
}
