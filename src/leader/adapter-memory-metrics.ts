/**
 * `infernode_lora_*` gauges of the ModelAdapter controller's memory, computed at scrape time:
 * adapters by phase (Failed ones included), desired and ready instances, engine attempts in
 * backoff or given up, and load/unload commands in flight. Labels are fixed sets (phase, state,
 * kind), never adapter or engine names, so cardinality stays bounded however many adapters exist.
 * One set per registry: a controller built again (a new leadership term) takes the gauges over.
 */
import { Gauge, type Clock, type Registry } from '../shared/index.js';
import type { AdapterMemory } from './adapter-memory.js';

/** Phases as the gauge labels them; `Unknown` before the first status. */
const PHASES = ['Pending', 'Scheduled', 'Running', 'Failed', 'Unknown'] as const;

interface Watched {
  memory: AdapterMemory;
  clock: Clock;
}

const perRegistry = new WeakMap<Registry, Watched>();

/** Reports `memory` on `registry` (registers the gauges on first use). */
export function registerAdapterMemoryMetrics(
  registry: Registry,
  memory: AdapterMemory,
  clock: Clock,
): void {
  const existing = perRegistry.get(registry);
  if (existing !== undefined) {
    existing.memory = memory;
    existing.clock = clock;
    return;
  }
  const watched: Watched = { memory, clock };
  perRegistry.set(registry, watched);
  const records = () => [...watched.memory.records()];
  new Gauge({
    name: 'infernode_lora_adapters',
    help: 'ModelAdapters the controller tracks, by phase (Pending, Scheduled, Running, Failed, Unknown)',
    labelNames: ['phase'],
    registers: [registry],
    collect() {
      const counts = new Map<string, number>(PHASES.map((p) => [p, 0]));
      for (const r of records()) {
        const phase = r.phase ?? 'Unknown';
        counts.set(phase, (counts.get(phase) ?? 0) + 1);
      }
      for (const [phase, n] of counts) this.set({ phase }, n);
    },
  });
  new Gauge({
    name: 'infernode_lora_instances',
    help: 'Adapter instances over all ModelAdapters: desired (replicas wanted) and ready (engines listing them)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      let desired = 0;
      let ready = 0;
      for (const r of records()) {
        desired += r.desiredReplicas;
        ready += r.readyReplicas;
      }
      this.set({ state: 'desired' }, desired);
      this.set({ state: 'ready' }, ready);
    },
  });
  new Gauge({
    name: 'infernode_lora_engine_attempts',
    help: 'Per-engine load attempts remembered after a failure: backoff (a retry pending) or given_up',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const nowMs = watched.clock.now();
      let backoff = 0;
      let givenUp = 0;
      for (const r of records())
        for (const a of r.attempts.values()) {
          if (a.givenUp) givenUp++;
          else if (a.retryAtMs > nowMs) backoff++;
        }
      this.set({ state: 'backoff' }, backoff);
      this.set({ state: 'given_up' }, givenUp);
    },
  });
  new Gauge({
    name: 'infernode_lora_commands_in_flight',
    help: 'lora.load and lora.unload commands sent to agents and not answered yet, by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      let loads = 0;
      let unloads = 0;
      for (const r of records()) {
        unloads += r.unloading.size;
        loads += r.inFlight.size - r.unloading.size;
      }
      this.set({ kind: 'load' }, loads);
      this.set({ kind: 'unload' }, unloads);
    },
  });
}
