/**
 * Events read off the difference between two consecutive console states: engines up and down,
 * GPUs failed and recovered, agents connected and lost, scale decisions, adapters moved or
 * failed, leader changes. Diffing what the leader already holds needs no hook in each component,
 * and cannot miss a change that lasted at least one tick.
 */
import type { ConsoleEventInput } from './console-event-log.js';
import type {
  ConsoleAdapter,
  ConsoleAutoscaler,
  ConsoleEngine,
  ConsoleLeader,
  ConsoleNode,
} from './console-snapshot.js';

/** The parts of a console state the events are read from. */
export interface EventSources {
  readonly leader: ConsoleLeader;
  readonly nodes: readonly ConsoleNode[];
  readonly engines: readonly ConsoleEngine[];
  readonly adapters: readonly ConsoleAdapter[];
  readonly autoscalers: readonly ConsoleAutoscaler[];
}

/**
 * `prev`'s item at `i` when it has `key` (both lists in the same order, the usual case), else the
 * one with `key` from `prev` by key (the map made once, on the first miss). A map of every item
 * per tick was most of a tick's diff at 8,000 engines (#18).
 */
function lookupBefore<T>(prev: readonly T[], keyOf: (item: T) => string) {
  let byKey: Map<string, T> | undefined;
  return (i: number, key: string): T | undefined => {
    const same = prev[i];
    if (same !== undefined && keyOf(same) === key) return same;
    byKey ??= new Map(prev.map((item) => [keyOf(item), item]));
    return byKey.get(key);
  };
}

function engineEvents(prev: EventSources, next: EventSources): ConsoleEventInput[] {
  const before = lookupBefore(prev.engines, (e) => e.id);
  const out: ConsoleEventInput[] = [];
  for (let i = 0; i < next.engines.length; i++) {
    const e = next.engines[i] as ConsoleEngine;
    const was = before(i, e.id);
    if (was?.state === e.state) continue;
    if (e.state === 'ready' && was !== undefined)
      out.push({
        kind: 'engine-up',
        severity: 'info',
        subject: e.id,
        message: `ready (was ${was.state})`,
      });
    else if (e.state === 'down' || e.state === 'gpuFailed')
      out.push({
        kind: 'engine-down',
        severity: 'warning',
        subject: e.id,
        message:
          e.state === 'gpuFailed'
            ? 'on a failed GPU: out of routing'
            : `down${e.error === null ? '' : `: ${e.error}`}`,
      });
    else if (e.state === 'draining')
      out.push({
        kind: 'node-drain',
        severity: 'info',
        subject: e.id,
        message: 'draining: no new requests',
      });
  }
  return out;
}

function nodeEvents(prev: EventSources, next: EventSources): ConsoleEventInput[] {
  const before = lookupBefore(prev.nodes, (n) => n.name);
  const out: ConsoleEventInput[] = [];
  for (let i = 0; i < next.nodes.length; i++) {
    const n = next.nodes[i] as ConsoleNode;
    const was = before(i, n.name);
    if (was?.connected !== n.connected && (was !== undefined || n.connected))
      out.push(
        n.connected
          ? {
              kind: 'node-connected',
              severity: 'info',
              subject: n.name,
              message: 'agent connected',
            }
          : {
              kind: 'node-lost',
              severity: 'warning',
              subject: n.name,
              message: 'agent connection lost',
            },
      );
    if (was?.gpus === n.gpus) continue; // the same rows: no GPU changed (row-memo.ts)
    const gpusBefore = new Map((was?.gpus ?? []).map((g) => [g.index, g]));
    for (const g of n.gpus) {
      const health = gpusBefore.get(g.index)?.health ?? 'healthy';
      if (health !== 'failed' && g.health === 'failed')
        out.push({
          kind: 'gpu-failed',
          severity: 'warning',
          subject: n.name,
          message: `GPU ${g.index} (${g.uuid}) failed: ${g.reasons.join('; ') || 'no reason given'}`,
        });
      else if (health === 'failed' && g.health !== 'failed')
        out.push({
          kind: 'gpu-recovered',
          severity: 'info',
          subject: n.name,
          message: `GPU ${g.index} (${g.uuid}) ${g.health}`,
        });
    }
  }
  return out;
}

function resourceEvents(prev: EventSources, next: EventSources): ConsoleEventInput[] {
  const out: ConsoleEventInput[] = [];
  const adaptersBefore = new Map(prev.adapters.map((a) => [`${a.namespace}/${a.name}`, a]));
  for (const a of next.adapters) {
    const key = `${a.namespace}/${a.name}`;
    const was = adaptersBefore.get(key);
    if (a.phase === 'Failed' && was?.phase !== 'Failed')
      out.push({
        kind: 'adapter-failed',
        severity: 'warning',
        subject: key,
        message: a.lastError ?? 'failed',
      });
    const added = a.loadedOn.filter((e) => !(was?.loadedOn ?? []).includes(e));
    const removed = (was?.loadedOn ?? []).filter((e) => !a.loadedOn.includes(e));
    if (added.length > 0 || removed.length > 0)
      out.push({
        kind: 'adapter-moved',
        severity: 'info',
        subject: key,
        message: [
          added.length > 0 ? `loaded on ${added.join(', ')}` : '',
          removed.length > 0 ? `unloaded from ${removed.join(', ')}` : '',
        ]
          .filter((s) => s !== '')
          .join('; '),
      });
  }
  const scalersBefore = new Map(prev.autoscalers.map((a) => [`${a.namespace}/${a.name}`, a]));
  for (const a of next.autoscalers) {
    const key = `${a.namespace}/${a.name}`;
    const newestBefore = scalersBefore.get(key)?.decisions[0]?.atMs ?? -Infinity;
    for (const d of [...a.decisions].reverse())
      if (d.atMs > newestBefore)
        out.push({
          kind: 'scale',
          severity: 'info',
          subject: key,
          message: `scale ${d.from} → ${d.to}: ${d.reason}`,
        });
  }
  return out;
}

/** What happened between `prev` and `next`, oldest kind first; nothing for the first state. */
export function stateEvents(
  prev: EventSources | undefined,
  next: EventSources,
): ConsoleEventInput[] {
  if (prev === undefined) return [];
  const out: ConsoleEventInput[] = [];
  if (prev.leader.epoch !== next.leader.epoch && next.leader.epoch !== null)
    out.push({
      kind: 'leader-changed',
      severity: 'info',
      subject: next.leader.identity,
      message: `leads (epoch ${next.leader.epoch})`,
    });
  return [
    ...out,
    ...nodeEvents(prev, next),
    ...engineEvents(prev, next),
    ...resourceEvents(prev, next),
  ];
}
