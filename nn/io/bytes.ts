// Bytes as they come in: a Uint8Array, a Node Buffer (what fs.readFileSync returns),
// any other typed-array view, or an ArrayBuffer. A Buffer or a view is a window onto a
// larger ArrayBuffer (small Buffers share Node's pool), so only byteOffset and
// byteLength say which bytes are ours: every reader starts from this one view.

export type BytesLike = Uint8Array | ArrayBufferView | ArrayBuffer;

/** A plain Uint8Array over exactly the input's bytes (no copy), or null when it is not bytes. */
export function asBytes(input: unknown): Uint8Array | null {
  if (input instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && input instanceof SharedArrayBuffer)) {
    return new Uint8Array(input);
  }
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  return null;
}

/** 'a string', 'null', 'an object': for errors about what came in instead of bytes. */
export function describeNonBytes(input: unknown): string {
  if (input === null) return 'null';
  const type = typeof input;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}
