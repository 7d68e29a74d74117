/**
 * The console's cluster sections from what the leader holds: GPU facts as the agents report them
 * (null where an agent sent none), and the KV hit ratios per tier from the engines' prefix cache
 * counters (GPU) and the agents' block lookups (L1, L2).
 */
import { describe, expect, it } from 'vitest';
import {
  ConsoleRowMemo,
  IdOrder,
  consoleEngines,
  consoleEnginesSpread,
  consoleKv,
  consoleNodes,
  type EngineStateInput,
} from '../../../src/console/index.js';
import type { KvNodeSummary } from '../../../src/kvcache/index.js';

const aNode = (
  node: string,
  lookups?: { l1Hits: number; l1Misses: number; l2Hits: number; l2Misses: number },
): KvNodeSummary => ({
  node,
  awaitingReset: false,
  l1Blocks: 10,
  engines: [],
  store: {
    nativeUrl: `ikv://${node}:9300`,
    budgetBytes: 1000,
    usedBytes: 250,
    blocks: 10,
    shared: true,
    ...(lookups === undefined ? {} : { lookups }),
  },
});

describe('consoleKv', () => {
  it('sums the agents’ lookups into an L1 and an L2 hit ratio', () => {
    const kv = consoleKv(
      [
        aNode('b', { l1Hits: 30, l1Misses: 10, l2Hits: 1, l2Misses: 3 }),
        aNode('a', { l1Hits: 10, l1Misses: 50, l2Hits: 3, l2Misses: 1 }),
      ],
      [],
    );
    // L1: 40 found of 100 asked; L2: 4 of 8.
    expect(kv.hitRatio).toEqual({ gpu: null, l1: 0.4, l2: 0.5 });
    expect(kv.nodes.map((n) => [n.node, n.l1UsedBytes, n.l1CapacityBytes])).toEqual([
      ['a', 250, 1000],
      ['b', 250, 1000],
    ]);
  });

  it('has no ratio before any lookup, nor from agents that report none', () => {
    const none = { l1Hits: 0, l1Misses: 0, l2Hits: 0, l2Misses: 0 };
    expect(consoleKv([aNode('a'), aNode('b', none)], []).hitRatio).toEqual({
      gpu: null,
      l1: null,
      l2: null,
    });
  });
});

describe('consoleNodes', () => {
  const node = {
    node: 'node-a',
    connected: true,
    lastReportMs: 5,
    agentVersion: '0.1.0',
    engineIds: ['node-a/e0'],
  };
  const gpu = { index: 0, uuid: 'GPU-1', health: 'healthy' as const, reasons: [] };

  it('shows the GPU facts an agent reported, and null for one that sent none', () => {
    const facts = {
      temperatureC: 63,
      memoryUsedBytes: 70 * 2 ** 30,
      memoryTotalBytes: 80 * 2 ** 30,
      powerW: 512,
      utilizationPct: 97,
    };
    const [shown] = consoleNodes([
      {
        ...node,
        gpus: [
          { ...gpu, facts },
          { ...gpu, index: 1 },
        ],
      },
    ]);
    expect(shown?.gpus[0]).toMatchObject({
      temperatureC: 63,
      memoryUsedBytes: 70 * 2 ** 30,
      memoryTotalBytes: 80 * 2 ** 30,
      powerW: 512,
    });
    expect(shown?.gpus[1]).toMatchObject({
      temperatureC: null,
      memoryUsedBytes: null,
      memoryTotalBytes: null,
      powerW: null,
    });
  });

  it('maps a GPU list again only when the node holds a new one (kept rows between ticks)', () => {
    const memo = new ConsoleRowMemo();
    const gpus = [gpu];
    const first = consoleNodes([{ ...node, gpus }], memo)[0]?.gpus;
    expect(consoleNodes([{ ...node, lastReportMs: 9, gpus }], memo)[0]?.gpus).toBe(first);
    const failed = [{ ...gpu, health: 'failed' as const, reasons: ['Xid 79'] }];
    const after = consoleNodes([{ ...node, gpus: failed }], memo)[0]?.gpus;
    expect(after).not.toBe(first);
    expect(after?.[0]).toMatchObject({ health: 'failed', reasons: ['Xid 79'] });
  });
});

describe('consoleEnginesSpread', () => {
  const state = (id: string, ready = true): EngineStateInput => ({
    endpoint: {
      id,
      name: id,
      model: 'm',
      url: `http://x/${id}`,
      node: 'n',
      engine: 'vllm',
      gpuIndices: undefined,
      ready,
    },
    report: undefined,
    stale: false,
    agentSaysDown: false,
    gpuFailed: false,
    draining: false,
  });

  it('maps the rows a few per turn, yielding between, into the rows consoleEngines gives', async () => {
    const states = ['e7', 'e1', 'e5', 'e3', 'e2', 'e6', 'e4'].map((id) => state(id, id !== 'e3'));
    const ejected = new Set(['e5']);
    let turns = 0;
    const between = (): Promise<void> => {
      turns++;
      return Promise.resolve();
    };
    const spread = await consoleEnginesSpread(states, ejected, new IdOrder(), between, 3);
    expect(spread).toEqual(consoleEngines(states, ejected));
    expect(spread.map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
    expect(turns).toBe(2); // 3 + 3 + 1 rows
    expect(await consoleEnginesSpread([], ejected, new IdOrder(), between, 3)).toEqual([]);
  });

  it('maps an engine again only for a new state object or a change of ejection', () => {
    const memo = new ConsoleRowMemo();
    const e1 = state('e1');
    const rowOf = (s: EngineStateInput, ejected: string[] = []) =>
      consoleEngines([s], new Set(ejected), new IdOrder(), memo)[0];
    const first = rowOf(e1);
    expect(rowOf(e1)).toBe(first);
    const ejected = rowOf(e1, ['e1']);
    expect(ejected).toMatchObject({ id: 'e1', ejected: true });
    const down = rowOf({ ...e1, agentSaysDown: true }, ['e1']);
    expect(down).not.toBe(ejected);
    expect(down).toMatchObject({ state: 'down', ejected: true });
  });
});
