// --out is checked before any training: a location the run cannot or must not write into
// is refused with exit status 2 and one line naming the path and the problem. Training
// is replaced here by a function that fails the test if it is ever called.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkOutputLocation, systemLocation } from '../../cli/output-location';
import { bundleCli, type CliBundle } from './bundle';
import { runMain } from './run-main';

const training = vi.hoisted(() => ({ calls: 0 }));
vi.mock('../../experiment/compare', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../experiment/compare')>()),
  runComparison: async () => {
    training.calls++;
    throw new Error('training started although --out is unusable');
  },
}));

const work = mkdtempSync(join(tmpdir(), 'gradscope-out-location-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeEach(() => {
  training.calls = 0;
});

const tiny = ['compare', '--dataset', 'moons', '--activations', 'relu', '--train-size', '64', '--test-size', '32', '--epochs', '1', '--hidden', '4', '--device', 'cpu'];

async function expectRefused(out: string, message: RegExp, extra: string[] = []): Promise<void> {
  const { code, stdout, stderr } = await runMain([...tiny, ...extra, '--out', out]);
  expect(stderr).toMatch(message);
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr.startsWith(`gradscope compare: --out ${out}: `)).toBe(true);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(training.calls).toBe(0);
}

describe('gradscope compare --out: checked before training', () => {
  it('refuses a file', async () => {
    const file = join(work, 'a-file');
    writeFileSync(file, 'mine');
    await expectRefused(file, /it is a file, not a folder/);
  });

  it('refuses a folder under a file', async () => {
    const file = join(work, 'another-file');
    writeFileSync(file, 'mine');
    await expectRefused(join(file, 'sub', 'out'), new RegExp(`${file} is a file, so no folder can be made under it`));
  });

  it('refuses an existing folder where the run would have to replace a folder of the same name as its files', async () => {
    const out = join(work, 'clash');
    mkdirSync(join(out, 'results.json'), { recursive: true });
    await expectRefused(out, new RegExp(`${join(out, 'results.json')} is a folder; the run writes a file by that name`));
    const figures = join(work, 'figures-is-a-file');
    mkdirSync(figures);
    writeFileSync(join(figures, 'figures'), 'mine');
    await expectRefused(figures, /figures is a file; the run writes its PNG figures into a folder by that name/);
    // Without PNG figures the name 'figures' is not used: that run may go ahead.
    expect(() => checkOutputLocation(figures, { png: false })).not.toThrow();
  });

  it('refuses the root, top-level folders and the system folders, also through a symbolic link', async () => {
    await expectRefused('/', /refused: it is the root of a file system/);
    await expectRefused('/tmp', /refused: it is a top-level folder/);
    await expectRefused('/usr/share/gradscope-results', /refused: it lies inside \/usr, a folder of the operating system/);
    await expectRefused('/etc', /refused: it is a top-level folder/);
    const link = join(work, 'link-to-etc');
    symlinkSync('/etc', link);
    await expectRefused(join(link, 'results'), /refused: it lies inside \/etc/);
    for (const path of ['/', '/usr', '/usr/lib/x', '/etc/x', '/proc/1', '/home']) expect(systemLocation(path)).toBeDefined();
    for (const path of [work, '/home/someone/results', '/tmp/results', '/usrx/results']) expect(systemLocation(path)).toBeUndefined();
    // The user's home may be a top-level folder (root's is /root): it is the user's own.
    expect(systemLocation('/root', '/root')).toBeUndefined();
    expect(systemLocation('/root', '/home/someone')).toBeDefined();
    expect(systemLocation('/', '/')).toBeDefined();
  });

  it('creates nothing, neither when it refuses nor when it accepts a folder still to be made', async () => {
    const file = join(work, 'third-file');
    writeFileSync(file, 'mine');
    const before = readdirSync(work).sort();
    await expectRefused(join(file, 'x'), /is a file/);
    const fresh = join(work, 'new', 'deeper', 'out');
    expect(checkOutputLocation(fresh)).toBe(fresh);
    expect(readdirSync(work).sort()).toEqual(before);
  });
});

describe('gradscope compare --out: a folder the user cannot write in', () => {
  let cli: CliBundle;
  beforeAll(async () => {
    cli = await bundleCli();
  });
  afterAll(() => cli?.remove());

  it('is refused before training, with exit 2 and one line', () => {
    // Permissions do not stop root: as root, the command runs as the unprivileged 'nobody'.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const readOnly = join(work, 'read-only');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o555);
    for (const dir of [work, dirname(cli.path)]) chmodSync(dir, 0o755);
    const out = join(readOnly, 'results');
    const run = spawnSync(process.execPath, [cli.path, ...tiny, '--no-png', '--out', out], { encoding: 'utf8', timeout: 120_000, ...asNobody });
    expect(run.stderr.trim()).toBe(`gradscope compare: --out ${out}: cannot write in ${readOnly} (permission denied)`);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(readdirSync(readOnly)).toEqual([]);
  });
});

