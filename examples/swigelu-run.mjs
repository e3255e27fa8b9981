// Runs examples/swigelu.ts from Node without a TypeScript runner: bundle it with
// esbuild (installed with the project), then import it.
//   node examples/swigelu-run.mjs [cpu|webgpu] [steps]
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Inside the project's node_modules, so the bundle's imports of packages resolve.
const outfile = fileURLToPath(new URL('../node_modules/.cache/gradscope-examples/swigelu.mjs', import.meta.url));
await build({
  entryPoints: [fileURLToPath(new URL('./swigelu.ts', import.meta.url))],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile,
  packages: 'external',
  logLevel: 'warning',
});
const { runSwigeluExample } = await import(pathToFileURL(outfile).href);
const backend = process.argv[2] ?? 'cpu';
const steps = Number(process.argv[3] ?? 150);
await runSwigeluExample({ backend, steps, log: (line) => console.log(line) });
