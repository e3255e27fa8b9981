// The `gradscope` command run in this process (cli/program.ts's main), with what it
// writes to stdout and stderr captured instead of printed.
import { vi } from 'vitest';
import { main, type CliRuntime } from '../../cli/program';

export async function runMain(args: string[], runtime: CliRuntime = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main(args, runtime);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
