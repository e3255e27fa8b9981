// The WebGPU flag values, spelled out: Node (Dawn) does not define the GPUBufferUsage
// and GPUMapMode globals unless asked, and the backend must not depend on globals.
export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

export const MapMode = { READ: 0x0001 } as const;
