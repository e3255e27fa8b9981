// model.loadStateDict takes what gs.io.loadSafetensors returns ({ shape, data } per name),
// checks every shape it knows before changing anything, and treats names as plain keys.
import { expect, test } from 'vitest';
import * as gs from '../../index';
import { describeBackends } from '../helpers/backends';

const values = async (m: gs.nn.Module) => Promise.all(m.parameters().map(async (p) => Array.from(await p.toArray())));

describeBackends('loadStateDict', () => {
  test('loads the { shape, data } objects of loadSafetensors: a safetensors round trip into another model', async () => {
    const source = gs.nn.mlp({ input: 4, hidden: [6], output: 3, seed: 1 });
    const target = gs.nn.mlp({ input: 4, hidden: [6], output: 3, seed: 2 });
    target.loadStateDict(gs.io.loadSafetensors(await gs.io.saveSafetensors(source.stateDict())));
    expect(await values(target)).toEqual(await values(source));
    source.dispose();
    target.dispose();
  });

  test('a [6, 4] tensor never goes into a [4, 6] parameter, whatever form it comes in; nothing is changed', async () => {
    const model = new gs.nn.Sequential(new gs.nn.Linear(6, 4, { seed: 3, bias: false })); // weight [4, 6]
    const before = await values(model);
    const data = Float32Array.from({ length: 24 }, (_, i) => i);
    const nested = Array.from({ length: 6 }, (_, r) => Array.from({ length: 4 }, (_, c) => r * 4 + c));
    const transposed = gs.tensor(nested); // [6, 4]
    const message = "loadStateDict: '0.weight' has shape [6, 4], expected [4, 6]";
    expect(() => model.loadStateDict({ '0.weight': { shape: [6, 4], data } })).toThrow(message);
    expect(() => model.loadStateDict({ '0.weight': nested })).toThrow(message);
    expect(() => model.loadStateDict({ '0.weight': transposed })).toThrow(message);
    expect(() => model.loadStateDict({ '0.weight': { shape: [4, 6], data: data.subarray(0, 20) } })).toThrow(
      "loadStateDict: '0.weight' holds 20 values, but its shape [4, 6] needs 24",
    );
    expect(await values(model)).toEqual(before);
    // A flat array has no shape to check: its length must match.
    model.loadStateDict({ '0.weight': data });
    expect((await values(model))[0]).toEqual(Array.from(data));
    transposed.dispose();
    model.dispose();
  });

  test('names are plain keys: a parameter named toString is not found on Object.prototype; __proto__ is a key; a Map works too', async () => {
    class Odd extends gs.nn.Module {
      constructor() {
        super();
        this.registerParameter('toString', gs.tensor([1, 2]));
      }
      forward(x: gs.Tensor): gs.Tensor {
        return x;
      }
    }
    const odd = new Odd();
    expect(() => odd.loadStateDict({})).toThrow("loadStateDict: missing key 'toString'");
    odd.loadStateDict(JSON.parse('{"toString": [3, 4]}'));
    expect(await values(odd)).toEqual([[3, 4]]);
    const model = new gs.nn.Sequential(new gs.nn.Linear(2, 2, { seed: 4 }));
    expect(Object.getPrototypeOf(model.stateDict())).toBe(null);
    const withProto = JSON.parse('{"0.weight": [[1, 2], [3, 4]], "0.bias": [5, 6], "__proto__": [7]}');
    expect(() => model.loadStateDict(withProto)).toThrow(/unexpected key '__proto__'/);
    model.loadStateDict(new Map<string, gs.nn.StateValue>([['0.weight', [[1, 2], [3, 4]]], ['0.bias', [5, 6]]]));
    expect(await values(model)).toEqual([[1, 2, 3, 4], [5, 6]]);
    odd.dispose();
    model.dispose();
  });
});

test('the checkpoint path checks shapes too: a checkpoint of a [6, 4] layer is refused by a [4, 6] model', async () => {
  await gs.setBackend('cpu');
  const data = gs.data.fromArrays(Array.from({ length: 8 }, (_, i) => [i, 1, 0, -i, 2, 1]), Array.from({ length: 8 }, (_, i) => i % 2));
  // Same sizes, transposed shapes: [6, 4] then [4, 6] against [4, 6] then [6, 4].
  const wide = new gs.nn.Sequential(new gs.nn.Linear(4, 6, { seed: 1, bias: false }), new gs.nn.Linear(6, 4, { seed: 2, bias: false }));
  const narrow = new gs.nn.Sequential(new gs.nn.Linear(6, 4, { seed: 1, bias: false }), new gs.nn.Linear(4, 6, { seed: 2, bias: false }));
  const loader = new gs.data.DataLoader(data, { batchSize: 4 });
  const bytes = await gs.nn.makeCheckpoint(wide, new gs.optim.SGD(wide.parameters(), { lr: 0.1 }), loader);
  const before = await values(narrow);
  await expect(
    gs.nn.fit(narrow, new gs.data.DataLoader(data, { batchSize: 4 }), { optimizer: new gs.optim.SGD(narrow.parameters(), { lr: 0.1 }), resumeFrom: bytes }),
  ).rejects.toThrow("'0.weight' has shape [6, 4], expected [4, 6]");
  expect(await values(narrow)).toEqual(before);
});
