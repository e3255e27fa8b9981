// `npm run bench` measures PyTorch only where a Python with torch is found; elsewhere it
// notes why and goes on. The test suite never needs Python: these cases use a path that
// does not exist and a program that is not Python (Node itself), both deterministic.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonCandidates, startPyTorch } from '../../bench/pytorch';

const script = join(process.cwd(), 'bench/pytorch-worker.py');

describe('PyTorch in the bench, where there is none', () => {
  it('tries GRADSCOPE_BENCH_PYTHON alone when set, else python3 then Debian’s /usr/bin/python3', () => {
    expect(pythonCandidates({ GRADSCOPE_BENCH_PYTHON: '/opt/py/bin/python' })).toEqual(['/opt/py/bin/python']);
    expect(pythonCandidates({})).toEqual(['python3', '/usr/bin/python3']);
  });

  it('a Python that does not exist: the skip note names it and how to install torch', async () => {
    const missing = '/nonexistent/gradscope-test/python3';
    const result = await startPyTorch(script, [missing]);
    expect(typeof result).toBe('string');
    expect(result).toContain(`${missing}: spawn ${missing} ENOENT`);
    expect(result).toMatch(/no Python with torch .*apt-get install -y python3-torch libopenblas0-pthread, or set GRADSCOPE_BENCH_PYTHON/);
  });

  it('a program that fails on the script: the note gives its exit status and last line of stderr, after every candidate', async () => {
    const missing = '/nonexistent/gradscope-test/python3';
    const result = await startPyTorch(script, [missing, process.execPath]);
    expect(result).toContain(`${missing}: spawn`);
    expect(result).toMatch(new RegExp(`${process.execPath.replace(/[/.]/g, '\\$&')}: exited with status 1`));
  });
});
