import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import * as gs from '../../index';
import { Random } from '../../engine/random';

const dir = mkdtempSync(join(tmpdir(), 'gradscope-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A hand-made file: header JSON (padded with spaces to 8), then the data. */
function handMade(header: object, data: number[] = [], pad = true): Uint8Array {
  let json = JSON.stringify(header);
  if (pad) while ((8 + json.length) % 8) json += ' ';
  const h = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + h.length + data.length * 4);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(new Uint8Array(Float32Array.from(data).buffer), 8 + h.length);
  return out;
}

describe('safetensors', () => {
  test('the layout of the reference writer: u64 header length, padded JSON, sorted contiguous data', async () => {
    const bytes = await gs.io.saveSafetensors({ b: gs.tensor([[1, 2], [3, 4]]), a: gs.tensor([5]) }, { framework: 'gradscope' });
    const expectedHeader = '{"__metadata__":{"framework":"gradscope"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2,2],"data_offsets":[4,20]}}';
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(0);
    expect((8 + headerLength) % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
    expect(header.trimEnd()).toBe(expectedHeader);
    expect(header.slice(expectedHeader.length)).toMatch(/^ *$/);
    expect(Array.from(new Float32Array(bytes.slice(8 + headerLength).buffer))).toEqual([5, 1, 2, 3, 4]);
    const back = gs.io.readSafetensors(bytes);
    expect(back.metadata).toEqual({ framework: 'gradscope' });
    expect(back.tensors.b).toEqual({ shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) });
  });

  test('a model round-trips through a file and loads into another model', async () => {
    const model = gs.nn.mlp({ input: 5, hidden: [4], output: 3, seed: 1 });
    const file = join(dir, 'model.safetensors');
    await gs.io.saveSafetensorsFile(file, model.stateDict());
    const loaded = await gs.io.loadSafetensorsFile(file);
    expect(Object.keys(loaded).sort()).toEqual(['0.bias', '0.weight', '2.bias', '2.weight']);
    const other = gs.nn.mlp({ input: 5, hidden: [4], output: 3, seed: 2 });
    other.loadStateDict(Object.fromEntries(Object.entries(loaded).map(([k, v]) => [k, v.data])));
    for (const [name, p] of model.namedParameters()) {
      expect(await other.stateDict()[name].toArray()).toEqual(await p.toArray());
    }
    // Foreign files need not pad their header: the data is read unaligned.
    const unpadded = handMade({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, [1.5, -2], false);
    expect(gs.io.loadSafetensors(unpadded).w.data).toEqual(Float32Array.from([1.5, -2]));
    model.dispose();
    other.dispose();
  });

  test.each<[string, () => Uint8Array, RegExp]>([
    ['truncated before the header length', () => new Uint8Array(5), /shorter than the 8-byte header length/],
    ['header length beyond the file', () => {
      const b = handMade({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, [1]);
      new DataView(b.buffer).setUint32(0, 1e6, true);
      return b;
    }, /header length 1000000 is beyond the file/],
    ['a 2^40-byte header length', () => {
      const b = handMade({}, []);
      new DataView(b.buffer).setUint32(4, 256, true);
      return b;
    }, /header length 1099511627\d+ is beyond the file/],
    ['truncated data', () => handMade({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 12] } }, [1, 2]), /shape \[3\] needs more bytes|outside the 8 bytes/],
    ['overlapping offsets', () => handMade({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, [1, 2, 3]), /overlap/],
    ['offsets out of range', () => handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, [1, 2]), /outside the 8 bytes of data/],
    ['unknown dtype', () => handMade({ a: { dtype: 'Q7', shape: [1], data_offsets: [0, 4] } }, [1]), /dtype "Q7"; only F32 is supported/],
    ['absurd shape', () => handMade({ a: { dtype: 'F32', shape: [1e6, 1e6, 1e6], data_offsets: [0, 4] } }, [1]), /needs more bytes than the file's 4 bytes/],
    ['negative dimension', () => handMade({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, [1]), /invalid shape \[-1\]/],
    ['offsets not matching the shape', () => handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 8] } }, [1, 2]), /hold 8 bytes but shape \[1\] needs 4/],
    ['a gap in the data', () => handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, [1, 2]), /gap of 4 bytes/],
    ['header not JSON', () => {
      const b = handMade({ a: 1 });
      b[9] = 0xff;
      return b;
    }, /not valid UTF-8 JSON/],
    ['non-string metadata', () => handMade({ __metadata__: { epoch: 3 } }), /__metadata__ 'epoch' is not a string/],
  ])('rejects %s', (_name, make, message) => {
    expect(() => gs.io.loadSafetensors(make())).toThrow(message);
    expect(() => gs.io.loadSafetensors(make())).toThrow(/^loadSafetensors: invalid file: /);
  });

  test('fuzz: 4,000 random mutations of valid files parse consistently or are rejected with a clear error', async () => {
    const valid = await gs.io.saveSafetensors(
      { '0.weight': gs.tensor([[1, 2, 3], [4, 5, 6]]), '0.bias': gs.tensor([7, 8]), scalar: gs.tensor([9]).reshape([]) },
      { note: 'fuzz' },
    );
    const headerLength = new DataView(valid.buffer).getUint32(0, true);
    const rng = new Random(7);
    let rejected = 0;
    let accepted = 0;
    for (let i = 0; i < 4000; i++) {
      let bytes = valid.slice();
      const kind = rng.int(5);
      if (kind === 0) bytes = bytes.slice(0, rng.int(bytes.length));
      else if (kind === 1) for (let k = 0; k <= rng.int(3); k++) bytes[8 + rng.int(headerLength)] = 32 + rng.int(95); // printable noise in the JSON
      else if (kind === 2) new DataView(bytes.buffer).setUint32(4 * rng.int(2), rng.int(4) === 0 ? rng.nextUint32() : rng.int(bytes.length + 16), true);
      else if (kind === 3) {
        // Replace a number in the header with a random one (forged shapes and offsets).
        const text = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
        const numbers = [...text.matchAll(/\d+/g)];
        const pick = numbers[rng.int(numbers.length)];
        const forged = [0, 1, 2 ** 31, 2 ** 53, 1e308, rng.int(100)][rng.int(6)];
        const edited = text.slice(0, pick.index) + String(forged) + text.slice(pick.index! + pick[0].length);
        const h = new TextEncoder().encode(edited);
        const out = new Uint8Array(8 + h.length + bytes.length - 8 - headerLength);
        new DataView(out.buffer).setUint32(0, h.length, true);
        out.set(h, 8);
        out.set(bytes.subarray(8 + headerLength), 8 + h.length);
        bytes = out;
      } else bytes[rng.int(bytes.length)] ^= 1 << rng.int(8);
      try {
        const file = gs.io.readSafetensors(bytes);
        accepted++;
        // Whatever is accepted is self-consistent.
        for (const t of Object.values(file.tensors)) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
      } catch (error) {
        expect((error as Error).message).toMatch(/^loadSafetensors: invalid file: /);
        rejected++;
      }
    }
    expect(accepted + rejected).toBe(4000);
    expect(rejected).toBeGreaterThan(1000);
  });

  test('saving refuses mismatched data and reserved names', async () => {
    await expect(gs.io.saveSafetensors({ a: { shape: [3], data: new Float32Array(2) } })).rejects.toThrow(/'a' has 2 values but shape \[3\]/);
    await expect(gs.io.saveSafetensors({ __metadata__: gs.tensor([1]) })).rejects.toThrow(/reserved/);
  });
});

/** A file whose header is exactly `text` (JSON.stringify cannot write duplicate keys or an own '__proto__'). */
function rawHeader(text: string, data: number[] = []): Uint8Array {
  const h = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + h.length + data.length * 4);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(new Uint8Array(Float32Array.from(data).buffer), 8 + h.length);
  return out;
}

describe('safetensors: bytes from anywhere, names never special', () => {
  test('a Node Buffer from fs.readFileSync, a Uint8Array view with an offset and an ArrayBuffer read only their own bytes', async () => {
    const file = join(dir, 'small.safetensors');
    await gs.io.saveSafetensorsFile(file, { w: { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) } });
    // Small files come back as views into Node's shared Buffer pool (byteOffset > 0).
    const buffer = readFileSync(file);
    const pooled = Buffer.from(buffer); // also a view into the pool
    const inside = new Uint8Array(buffer.length + 24).fill(0x7f);
    inside.set(buffer, 12);
    const view = inside.subarray(12, 12 + buffer.length);
    const arrayBuffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
    for (const bytes of [buffer, pooled, view, arrayBuffer]) {
      const loaded = gs.io.loadSafetensors(bytes);
      expect(Object.keys(loaded)).toEqual(['w']);
      expect(loaded.w.shape).toEqual([2, 2]);
      expect(Array.from(loaded.w.data)).toEqual([1, 2, 3, 4]);
      expect(loaded.w.data.buffer.byteLength).toBe(16);
    }
    expect(() => gs.io.loadSafetensors('not bytes' as unknown as Uint8Array)).toThrow(
      /expected bytes \(a Uint8Array, a Node Buffer or an ArrayBuffer\), got a string/,
    );
  });

  test('a tensor name that appears twice in the header is refused (it is not "last one wins")', () => {
    const w = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    expect(() => gs.io.loadSafetensors(rawHeader(`{"w":${w},"w":${w}}`, [1]))).toThrow("loadSafetensors: invalid file: tensor 'w' is named twice in the header");
    expect(() => gs.io.loadSafetensors(rawHeader('{"__metadata__":{"a":"1","a":"2"}}'))).toThrow(
      "loadSafetensors: invalid file: key 'a' appears twice in '__metadata__'",
    );
  });

  test("a tensor named '__proto__' (or 'constructor') is an ordinary name: kept, read back, never a prototype", async () => {
    const header = '{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"constructor":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    const loaded = gs.io.loadSafetensors(rawHeader(header, [3, 5]));
    expect(Object.keys(loaded).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(loaded)).toBe(null);
    expect(Array.from(loaded['__proto__'].data)).toEqual([3]);
    expect(Array.from(loaded['constructor'].data)).toEqual([5]);
    // Saving keeps both names.
    const again = gs.io.loadSafetensors(await gs.io.saveSafetensors(loaded));
    expect(Object.keys(again).sort()).toEqual(['__proto__', 'constructor']);
    expect(Array.from(again['__proto__'].data)).toEqual([3]);
    // Metadata is a name map too.
    const metadata = JSON.parse('{"__proto__":"x","toString":"y"}');
    const meta = gs.io.readSafetensors(await gs.io.saveSafetensors({}, metadata)).metadata;
    expect(Object.getPrototypeOf(meta)).toBe(null);
    expect(Object.entries(meta).sort()).toEqual([['__proto__', 'x'], ['toString', 'y']]);
  });
});
