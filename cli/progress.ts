// Progress of `gradscope compare`, always on stderr: on a terminal one bar per run in
// flight (several with --jobs N, a cli-progress MultiBar), otherwise plain lines (CI
// logs, pipes), each prefixed with its activation (and its seed, with several seeds) so
// that parallel runs stay readable.

import cliProgress from 'cli-progress';
import type { ComparisonHooks } from '../experiment/compare';
import { describeTraining } from '../experiment/options';

export type ProgressHooks = Pick<ComparisonHooks, 'onStart' | 'onRunStart' | 'onStep' | 'onEpochEnd' | 'onRunEnd'> & { stop(): void };

export function progressHooks(stream: NodeJS.WriteStream = process.stderr): ProgressHooks {
  const tty = Boolean(stream.isTTY);
  let bars: cliProgress.MultiBar | null = null;
  const running = new Map<string, cliProgress.SingleBar>(); // run name → its bar
  // With several seeds a run is named with its seed: 'relu, seed 43'.
  let severalSeeds = false;
  const name = (run: { label: string; seed: number }) => (severalSeeds ? `${run.label}, seed ${run.seed}` : run.label);
  const stopBars = () => {
    bars?.stop();
    bars = null;
    running.clear();
  };
  const multiBar = () =>
    (bars ??= new cliProgress.MultiBar(
      {
        format: '{label} |{bar}| epoch {epoch}/{epochs} batch {step}/{steps} loss {loss} {speed} samples/s ETA {eta_formatted}',
        stream,
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    ));
  return {
    onStart({ backend, dataset, runs, options, seeds, tasks, shard }) {
      const jobs = options.jobs ?? 1;
      severalSeeds = seeds.length > 1;
      const seedLine = severalSeeds ? `seeds: ${seeds.join(', ')} (every run once per seed)\n` : '';
      const shardLine = shard ? `shard: ${shard.index}/${shard.count}, ${tasks} of the ${runs.length * seeds.length} runs (gradscope merge puts the shards together)\n` : '';
      stream.write(
        `protocol: ${options.protocol}\nbackend: ${backend}\ndata: ${dataset.description}\ntraining: ${describeTraining(options)}\nruns: ${runs.join(', ')}${jobs > 1 ? ` (${jobs} at a time, in worker threads)` : ''}\n${seedLine}${shardLine}`,
      );
    },
    onRunStart(run) {
      const label = `[${run.index + 1}/${run.total}] ${name(run)}`;
      if (!tty) {
        stream.write(run.steps !== null ? `${label}: ${run.steps} steps (${run.stepsPerEpoch} batches per epoch)\n` : `${label}: ${run.epochs} epoch(s) of ${run.stepsPerEpoch} batches\n`);
        return;
      }
      const total = run.steps ?? run.epochs * run.stepsPerEpoch;
      const bar = multiBar().create(total, 0, { label: label.padEnd(22), epoch: 1, epochs: run.epochs, step: 0, steps: run.stepsPerEpoch, loss: '-', speed: '-' });
      running.set(name(run), bar);
    },
    onStep(p) {
      running.get(name(p))?.update((p.epoch - 1) * p.stepsPerEpoch + p.step, {
        epoch: p.epoch,
        step: p.step,
        loss: p.loss.toFixed(4),
        speed: Math.round(p.samplesPerSecond),
      });
    },
    onEpochEnd(e) {
      if (!tty) stream.write(`  ${name(e)} epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, test accuracy ${(100 * e.testAccuracy).toFixed(2)}%\n`);
    },
    onRunEnd(result) {
      const label = name({ label: result.label ?? result.activation, seed: result.seed });
      const line = `  ${label}: test accuracy ${(100 * result.testAccuracy).toFixed(2)}% in ${result.totalSeconds.toFixed(1)}s (${Math.round(result.samplesPerSecond)} samples/s)\n`;
      const bar = running.get(label);
      if (!bar || !bars) {
        stream.write(line);
        return;
      }
      // The finished bar gives way to its summary line, printed above the bars still running.
      running.delete(label);
      bars.log(line);
      bars.remove(bar);
      if (running.size === 0) stopBars();
    },
    stop: stopBars,
  };
}
