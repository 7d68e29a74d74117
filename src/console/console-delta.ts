/**
 * Applying a ConsoleDelta to a ConsoleSnapshot: the one rule the page and the tests share, so the
 * page's view after deltas is exactly the snapshot the leader would send at that moment.
 */
import {
  CONSOLE_LIMITS,
  type ConsoleDelta,
  type ConsoleEngineSeries,
  type ConsoleSample,
  type ConsoleSeries,
  type ConsoleSnapshot,
} from './console-snapshot.js';

/** Appends samples to the series and drops points older than the window and engines gone. */
export function appendSamples(
  series: ConsoleSeries,
  samples: readonly ConsoleSample[],
  engineIds: ReadonlySet<string> | undefined,
): ConsoleSeries {
  const byEngine = new Map<string, ConsoleEngineSeries>(series.engines.map((s) => [s.engine, s]));
  for (const sample of samples) {
    const s = byEngine.get(sample.engine) ?? {
      engine: sample.engine,
      t: [],
      running: [],
      waiting: [],
      kvUsage: [],
      ttftMs: [],
    };
    byEngine.set(sample.engine, {
      engine: s.engine,
      t: [...s.t, sample.t],
      running: [...s.running, sample.running],
      waiting: [...s.waiting, sample.waiting],
      kvUsage: [...s.kvUsage, sample.kvUsage],
      ttftMs: [...s.ttftMs, sample.ttftMs],
    });
  }
  const newest = Math.max(0, ...samples.map((s) => s.t), ...series.engines.flatMap((s) => s.t));
  const oldest = newest - series.windowMs;
  const engines: ConsoleEngineSeries[] = [];
  for (const s of byEngine.values()) {
    if (engineIds !== undefined && !engineIds.has(s.engine)) continue;
    const from = s.t.findIndex((t) => t > oldest);
    if (from < 0) continue;
    engines.push({
      engine: s.engine,
      t: s.t.slice(from),
      running: s.running.slice(from),
      waiting: s.waiting.slice(from),
      kvUsage: s.kvUsage.slice(from),
      ttftMs: s.ttftMs.slice(from),
    });
  }
  return { ...series, engines };
}

/** The snapshot after `delta`: present sections replaced, events prepended, samples appended. */
export function applyConsoleDelta(snapshot: ConsoleSnapshot, delta: ConsoleDelta): ConsoleSnapshot {
  const engines = delta.engines ?? snapshot.engines;
  const events =
    delta.events === undefined || delta.events.length === 0
      ? snapshot.events
      : [...delta.events, ...snapshot.events]
          .sort((a, b) => b.id - a.id)
          .filter((e, i, all) => i === 0 || all[i - 1]?.id !== e.id)
          .slice(0, CONSOLE_LIMITS.maxEvents);
  return {
    v: snapshot.v,
    seq: delta.seq,
    generatedAtMs: delta.generatedAtMs,
    leader: delta.leader ?? snapshot.leader,
    nodes: delta.nodes ?? snapshot.nodes,
    engines,
    routing: delta.routing ?? snapshot.routing,
    adapters: delta.adapters ?? snapshot.adapters,
    autoscalers: delta.autoscalers ?? snapshot.autoscalers,
    kv: delta.kv ?? snapshot.kv,
    events,
    series:
      delta.samples === undefined && delta.engines === undefined
        ? snapshot.series
        : appendSamples(snapshot.series, delta.samples ?? [], new Set(engines.map((e) => e.id))),
  };
}
