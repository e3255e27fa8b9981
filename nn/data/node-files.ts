// Node-only file helpers, imported dynamically so the browser bundle never reaches
// node:fs. Writes are atomic: a temporary file in the same folder, then a rename, so a
// crash mid-write leaves the previous file whole.

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

export async function nodeModules(): Promise<{ fs: Fs; path: Path }> {
  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new Error('this function needs Node.js (file system access); in a browser, build datasets from bytes or arrays');
  }
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  return { fs, path };
}

let tempCounter = 0;

export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const { fs, path } = await nodeModules();
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.${tempCounter++}.tmp`;
  try {
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

export async function readFileBytes(file: string): Promise<Uint8Array> {
  const { fs } = await nodeModules();
  const buf = await fs.readFile(file);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** The cache folder: GRADSCOPE_CACHE, else .cache/gradscope in the working directory. */
export async function cacheDir(): Promise<string> {
  const { path } = await nodeModules();
  return process.env.GRADSCOPE_CACHE || path.join(process.cwd(), '.cache', 'gradscope');
}
