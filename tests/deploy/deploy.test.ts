// The deploy files (deploy/): the Slurm scripts parse (bash -n) and, run with a stand-in
// sbatch and gradscope, submit an array job and a merge that waits for it and call
// gradscope with --shard auto and merge; the Kubernetes manifests parse as YAML (the yaml
// package) and agree on the shard count, the Indexed completion mode, the shared volume
// and the merge command; the Dockerfile builds on Node 20 with Debian's Chromium and
// libvulkan1 and runs the command line.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const deploy = join(process.cwd(), 'deploy');
const work = mkdtempSync(join(tmpdir(), 'gradscope-deploy-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A stand-in command that appends its arguments (one per line) and the given variables to `log`, then prints `output`. */
function standIn(name: string, log: string, output: string, variables: string[] = []): string {
  const path = join(work, name);
  const vars = variables.map((v) => `echo "${v}=\${${v}:-}" >> '${log}'`).join('\n');
  writeFileSync(path, `#!/usr/bin/env bash\necho "--- ${name}" >> '${log}'\nprintf '%s\\n' "$@" >> '${log}'\n${vars}\necho '${output}'\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('deploy/slurm', () => {
  const scripts = ['submit.sh', 'shards.sbatch', 'merge.sbatch'];

  it('every script parses (bash -n)', () => {
    for (const script of scripts) {
      const check = spawnSync('bash', ['-n', join(deploy, 'slurm', script)], { encoding: 'utf8' });
      expect(check.status, `${script}: ${check.stderr}`).toBe(0);
    }
  });

  it('the shard script is an array job; submit.sh submits it with the shard count and the merge after it (afterok)', () => {
    expect(readFileSync(join(deploy, 'slurm', 'shards.sbatch'), 'utf8')).toMatch(/^#SBATCH --array=\d+-\d+$/m);
    const log = join(work, 'submit.log');
    standIn('sbatch', log, '4242;cluster');
    const results = join(work, 'results');
    const run = spawnSync('bash', [join(deploy, 'slurm', 'submit.sh'), '3', results, '--protocol', 'quick', '--seeds', '5'], { encoding: 'utf8', env: { ...process.env, PATH: `${work}:${process.env.PATH}` } });
    expect(run.status, run.stderr).toBe(0);
    const calls = readFileSync(log, 'utf8').split('--- sbatch\n').slice(1).map((call) => call.trim().split('\n'));
    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual(['--parsable', '--array=0-2', '--export=ALL', join(deploy, 'slurm', 'shards.sbatch'), '--protocol', 'quick', '--seeds', '5']);
    expect(calls[1]).toContain('--dependency=afterok:4242');
    expect(calls[1][calls[1].length - 1]).toBe(join(deploy, 'slurm', 'merge.sbatch'));
    expect(run.stdout).toContain(`results in ${results}/merged`);
    const refused = spawnSync('bash', [join(deploy, 'slurm', 'submit.sh'), 'x', results], { encoding: 'utf8' });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("SHARDS must be a positive whole number, got 'x'");
  });

  it('a task runs gradscope compare --shard auto into its own folder; the merge merges every shard folder', () => {
    const log = join(work, 'task.log');
    const gradscope = standIn('gradscope-stand-in', log, 'ok');
    const results = mkdtempSync(join(work, 'shared-'));
    const env = { ...process.env, GRADSCOPE: gradscope, GRADSCOPE_RESULTS: results, SLURM_ARRAY_TASK_ID: '2' };
    const task = spawnSync('bash', [join(deploy, 'slurm', 'shards.sbatch'), '--protocol', 'quick', '--seeds', '5'], { encoding: 'utf8', env });
    expect(task.status, task.stderr).toBe(0);
    for (const shard of ['shard-0', 'shard-1', 'shard-2']) spawnSync('mkdir', [join(results, shard)]);
    const merge = spawnSync('bash', [join(deploy, 'slurm', 'merge.sbatch')], { encoding: 'utf8', env });
    expect(merge.status, merge.stderr).toBe(0);
    const [compareCall, mergeCall] = readFileSync(log, 'utf8').split('--- gradscope-stand-in\n').slice(1).map((call) => call.trim().split('\n'));
    expect(compareCall).toEqual(['compare', '--jobs', 'auto', '--protocol', 'quick', '--seeds', '5', '--shard', 'auto', '--out', join(results, 'shard-2')]);
    expect(mergeCall).toEqual(['merge', join(results, 'shard-0'), join(results, 'shard-1'), join(results, 'shard-2'), '--out', join(results, 'merged')]);
  });
});

describe('deploy/kubernetes', () => {
  const manifest = (name: string) => parse(readFileSync(join(deploy, 'kubernetes', name), 'utf8'));
  const shards = manifest('shards-job.yaml');
  const merge = manifest('merge-job.yaml');
  const volume = manifest('volume.yaml');

  it('the shards are an Indexed Job whose completions, parallelism and GRADSCOPE_SHARDS agree', () => {
    expect(shards.kind).toBe('Job');
    expect(shards.spec.completionMode).toBe('Indexed');
    const count = shards.spec.completions;
    expect(Number.isInteger(count) && count > 1).toBe(true);
    expect(shards.spec.parallelism).toBe(count);
    const [container] = shards.spec.template.spec.containers;
    const env = Object.fromEntries(container.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    expect(env.GRADSCOPE_SHARDS).toBe(String(count));
    expect(container.env.find((e: { name: string }) => e.name === 'JOB_COMPLETION_INDEX').valueFrom.fieldRef.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    const args: string[] = container.args;
    expect(args[0]).toBe('compare');
    expect(args[args.indexOf('--shard') + 1]).toBe('auto');
    expect(args[args.indexOf('--out') + 1]).toBe('/results/shard-$(JOB_COMPLETION_INDEX)');
  });

  it('both Jobs mount the shared volume (the PersistentVolumeClaim, ReadWriteMany) at /results', () => {
    expect(volume.kind).toBe('PersistentVolumeClaim');
    expect(volume.spec.accessModes).toContain('ReadWriteMany');
    for (const job of [shards, merge]) {
      const pod = job.spec.template.spec;
      expect(pod.volumes).toEqual([{ name: 'results', persistentVolumeClaim: { claimName: volume.metadata.name } }]);
      expect(pod.containers[0].volumeMounts).toEqual([{ name: 'results', mountPath: '/results' }]);
      expect(pod.restartPolicy).toBe('Never');
    }
  });

  it('the merge Job merges every shard folder the Indexed Job writes, into /results/merged', () => {
    const count = shards.spec.completions;
    const args: string[] = merge.spec.template.spec.containers[0].args;
    expect(args).toEqual(['merge', ...Array.from({ length: count }, (_, i) => `/results/shard-${i}`), '--out', '/results/merged']);
    expect(merge.spec.template.spec.containers[0].image).toBe(shards.spec.template.spec.containers[0].image);
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = readFileSync(join(deploy, 'Dockerfile'), 'utf8');
  it('Node 20 on Debian, with its chromium and libvulkan1, npm ci, the build, and the command line as entry point', () => {
    expect(dockerfile).toMatch(/^FROM node:20-(bookworm|bullseye)/m);
    expect(dockerfile).toMatch(/apt-get install[^\n]*\bchromium\b[^\n]*\blibvulkan1\b/);
    expect(dockerfile).toMatch(/^RUN npm ci$/m);
    expect(dockerfile).toMatch(/^RUN npm run build/m);
    expect(dockerfile).toContain('CHROMIUM_PATH=/usr/bin/chromium');
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "\/gradscope\/dist\/cli\.js"\]$/m);
  });
});
