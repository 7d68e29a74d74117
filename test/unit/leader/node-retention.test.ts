import { describe, expect, it } from 'vitest';
import {
  decideNewNode,
  nodesToForget,
  type NodeRecordFacts,
} from '../../../src/leader/node-retention.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const policy = { forgetAfterMs: 600_000, maxUndiscoveredNodes: 2 };
const up = (node: string): NodeRecordFacts => ({
  node,
  connected: true,
  disconnectedAtMs: undefined,
});
const down = (node: string, atMs: number): NodeRecordFacts => ({
  node,
  connected: false,
  disconnectedAtMs: atMs,
});

describe('nodesToForget', () => {
  it('forgets only nodes out of discovery and disconnected past the grace period', () => {
    const clock = new ManualClock(0);
    const records = [up('live'), down('known', 0), down('gone', 0), down('recent', 100_000)];
    const discovered = new Set(['known']);
    expect(nodesToForget(records, discovered, clock.now(), policy)).toEqual([]);
    clock.advance(600_000);
    expect(nodesToForget(records, discovered, clock.now(), policy)).toEqual(['gone']);
    clock.advance(100_000);
    expect(nodesToForget(records, discovered, clock.now(), policy)).toEqual(['gone', 'recent']);
  });
});

describe('decideNewNode', () => {
  it('always admits a node discovery knows', () => {
    const records = [up('x'), up('y'), up('z')];
    expect(decideNewNode('a', records, new Set(['a']), policy)).toEqual({ kind: 'admit' });
  });

  it('admits an undiscovered node below the bound (the discovery race)', () => {
    expect(decideNewNode('x', [up('a'), up('y')], new Set(['a']), policy)).toEqual({
      kind: 'admit',
    });
  });

  it('at the bound, evicts the undiscovered record disconnected longest', () => {
    const records = [up('a'), down('old', 10), down('older', 5), up('live')];
    expect(
      decideNewNode('new', records, new Set(['a']), { ...policy, maxUndiscoveredNodes: 3 }),
    ).toEqual({ kind: 'admit-evicting', evict: 'older' });
  });

  it('refuses when the bound is reached and every undiscovered node is connected', () => {
    expect(decideNewNode('new', [up('x'), up('y'), down('a', 0)], new Set(['a']), policy)).toEqual({
      kind: 'refuse',
    });
  });
});
