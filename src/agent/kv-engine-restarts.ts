/**
 * Tells the KV event wiring when an engine lost its GPU cache, from the engine watcher's cycles:
 * the engine went down (it was ready, now is not: a dead engine's blocks are no use to anyone),
 * or its cumulative request counter went back (it restarted between two health checks). The
 * subscriber alone notices a restart only when the new engine publishes, so without this a
 * killed engine's blocks stayed in the leader's index until it served again. The agent's one
 * path for this (the engine watcher has no restart hook of its own). Pure.
 */
import type { EngineReport } from '../protocol/index.js';

/** What an engine looked like at the previous cycle. */
interface Seen {
  readonly ready: boolean;
  readonly requests: number | undefined;
}

/** Bound on engines remembered (a node has a handful; the cluster file may list more). */
const MAX_TRACKED = 4096;

/**
 * A listener for EngineWatcher.onCycle that calls `lostCache(engineId)` once per transition to
 * down and once per counter reset.
 */
export function engineCacheLossListener(
  lostCache: (engineId: string) => void,
): (reports: readonly EngineReport[]) => void {
  const seen = new Map<string, Seen>();
  return (reports) => {
    const present = new Set<string>();
    for (const r of reports) {
      present.add(r.id);
      const before = seen.get(r.id);
      // A dialect without request counters reports 0 forever: no counter to go back.
      const scrape = r.metrics?.scrape;
      const requests =
        scrape === undefined || scrape.hasRequestCounters === false
          ? undefined
          : scrape.requestSuccessTotal;
      const wentDown = before?.ready === true && !r.ready;
      const counterReset =
        before?.requests !== undefined && requests !== undefined && requests < before.requests;
      if (wentDown || counterReset) lostCache(r.id);
      if (seen.size < MAX_TRACKED || seen.has(r.id)) seen.set(r.id, { ready: r.ready, requests });
    }
    for (const id of seen.keys()) if (!present.has(id)) seen.delete(id);
  };
}
