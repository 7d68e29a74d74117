/**
 * `bench serve`'s live progress: a cli-progress bar per sweep point on stderr, only when stderr
 * is a terminal (a CI log or a pipe gets nothing but the results).
 */
import { Presets, SingleBar } from 'cli-progress';
import type { RequestOutcome } from './serve-metrics.js';

/** Counts settled requests of one point and draws them. */
export interface PointProgress {
  settled(o: RequestOutcome): void;
  stop(): void;
}

/** A bar for `total` requests labelled `label`; a no-op when `tty` is false. */
export function pointProgress(label: string, total: number, tty: boolean): PointProgress {
  if (!tty) return { settled: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    {
      format: `${label.padEnd(18)} [{bar}] {value}/{total} | ok {ok} | failed {failed} | {eta_formatted}`,
      hideCursor: true,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  let ok = 0;
  let failed = 0;
  bar.start(total, 0, { ok, failed });
  return {
    settled(o) {
      if (o.ok) ok++;
      else failed++;
      bar.increment(1, { ok, failed });
    },
    stop: () => bar.stop(),
  };
}
