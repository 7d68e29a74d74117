import { describe, expect, it } from 'vitest';
import {
  stateEvents,
  type ConsoleEngine,
  type ConsoleGpu,
  type ConsoleNode,
} from '../../../src/console/index.js';

const engine = (id: string, state: ConsoleEngine['state'] = 'ready'): ConsoleEngine => ({
  id,
  node: 'n',
  model: 'm',
  url: 'http://x',
  state,
  error: null,
  running: 0,
  waiting: 0,
  kvUsage: 0,
  ttftMs: null,
  generationTokensPerSecond: null,
  adapters: [],
  ejected: false,
});

const gpu = (health: ConsoleGpu['health']): ConsoleGpu => ({
  index: 0,
  uuid: 'GPU-0',
  health,
  reasons: health === 'failed' ? ['Xid 79'] : [],
  temperatureC: null,
  memoryUsedBytes: null,
  memoryTotalBytes: null,
  powerW: null,
});

const node = (name: string, gpus: readonly ConsoleGpu[], connected = true): ConsoleNode => ({
  name,
  connected,
  lastReportMs: 1,
  agentVersion: 'v',
  gpus,
  engineIds: [],
});

const sources = (engines: ConsoleEngine[], nodes: ConsoleNode[] = []) => ({
  leader: { identity: 'l', epoch: 1, version: 'v', sinceMs: 0 },
  nodes,
  engines,
  adapters: [],
  autoscalers: [],
});

const kinds = (events: readonly { kind: string; subject: string }[]) =>
  events.map((e) => `${e.kind} ${e.subject}`).sort();

describe('stateEvents', () => {
  it('finds the same changes whether the lists keep their order, reorder or change members', () => {
    const prev = sources([engine('a'), engine('b'), engine('c', 'down')]);
    const changed = [engine('a', 'down'), engine('b'), engine('c'), engine('d', 'down')];
    const expected = ['engine-down a', 'engine-down d', 'engine-up c'];
    expect(kinds(stateEvents(prev, sources(changed)))).toEqual(expected);
    expect(kinds(stateEvents(prev, sources([...changed].reverse())))).toEqual(expected);
    const shorter = sources([engine('c'), engine('a', 'down')]);
    expect(kinds(stateEvents(prev, shorter))).toEqual(['engine-down a', 'engine-up c']);
  });

  it('reads GPU changes only where a node’s GPU rows changed, in any node order', () => {
    const healthy = [gpu('healthy')];
    const prev = sources([], [node('x', healthy), node('y', healthy)]);
    // The same rows object: nothing to compare (row-memo.ts hands the same rows out again).
    expect(stateEvents(prev, sources([], [node('x', healthy), node('y', healthy)]))).toEqual([]);
    const next = sources([], [node('y', [gpu('failed')], false), node('x', [gpu('healthy')])]);
    expect(kinds(stateEvents(prev, next))).toEqual(['gpu-failed y', 'node-lost y']);
    expect(kinds(stateEvents(next, prev))).toEqual(['gpu-recovered y', 'node-connected y']);
  });
});
