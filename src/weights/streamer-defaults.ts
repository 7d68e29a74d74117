/**
 * Default streamer settings: Run:ai model streamer's object-store defaults (reference/perf.md §4:
 * 8 MiB chunks, 16 in flight); retries and the idle timeout are ours.
 */
import type { StreamerSettings } from './artifact-pull.js';

/** The ranged parallel streamer's defaults. */
export const DEFAULT_STREAMER_SETTINGS: StreamerSettings = Object.freeze({
  partBytes: 8 * 1024 * 1024,
  concurrency: 16,
  retry: Object.freeze({ attempts: 5, initialMs: 200, maxMs: 5000 }),
  partIdleTimeoutMs: 30_000,
});

/**
 * Most listeners a pull's abort signal may carry at once: one per part in flight (twice, for the
 * part and its body), one per reader waiting on a file (at most 256), and a few of its own.
 */
export function listenerBound(concurrency: number): number {
  return 2 * concurrency + 256 + 16;
}
