// FNV-1a, 32 bits: the checksum of the image cache and of checkpoint tensors. Cheap, and
// it catches the truncations and bit flips a file suffers (every single changed byte
// changes it). Not a signature: whoever edits a file on purpose can recompute it.

/** The hash of no bytes: where a checksum over several pieces starts. */
export const FNV1A_START = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a of bytes[start, end), continuing from `hash` (to checksum several pieces as one stream). */
export function fnv1a(bytes: Uint8Array, start = 0, end = bytes.length, hash = FNV1A_START): number {
  let h = hash;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME);
  return h >>> 0;
}
