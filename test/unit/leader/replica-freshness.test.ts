import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/shared/index.js';
import { ClusterStateStore } from '../../../src/leader/cluster-state.js';
import { freshnessJudgedAt } from '../../../src/leader/replica-freshness.js';
import { ReplicatedClusterStateStore } from '../../../src/leader/replicated-cluster-state.js';

describe('freshnessJudgedAt', () => {
  const hold = { holdMs: 20_000 };
  it('judges at now while fed, and for a process never fed (a leader from the start)', () => {
    expect(freshnessJudgedAt({ ...hold, nowMs: 100, fed: true, lastFedMs: 100 })).toBe(100);
    expect(freshnessJudgedAt({ ...hold, nowMs: 100, fed: false, lastFedMs: undefined })).toBe(100);
  });

  it('judges at the moment the feed stopped, for holdMs, then at now again', () => {
    const silent = { ...hold, fed: false, lastFedMs: 5000 };
    expect(freshnessJudgedAt({ ...silent, nowMs: 9000 })).toBe(5000);
    expect(freshnessJudgedAt({ ...silent, nowMs: 25_000 })).toBe(5000);
    expect(freshnessJudgedAt({ ...silent, nowMs: 25_001 })).toBe(25_001);
  });
});

describe('a follower’s store after its leader died', () => {
  const endpoint = {
    id: 'e0',
    node: 'n0',
    model: 'm',
    url: 'http://127.0.0.1:1',
    ready: true,
  } as const;
  const report = { id: 'e0', ready: true, model: 'm', adapters: [] };
  const setup = <S extends ClusterStateStore>(make: (clock: Clock) => S) => {
    let now = 1000;
    const clock = { now: () => now, monotonicMs: () => now };
    const store = make(clock);
    store.setDiscovery({ endpoints: [endpoint], resources: [] } as never);
    store.applySnapshot('n0', '1', { engines: [report], gpus: [] } as never);
    return { store, advance: (ms: number) => (now += ms), at: () => now };
  };

  it('keeps the last-known engine fresh while the feed is silent, within the hold', () => {
    const feed: { lastFedMs?: number } = {};
    const { store, advance, at } = setup((clock) => {
      const s = new ReplicatedClusterStateStore({ clock, staleAfterMs: 3000 });
      s.judgeFreshnessAt = (nowMs) =>
        freshnessJudgedAt({ nowMs, fed: false, lastFedMs: feed.lastFedMs, holdMs: 20_000 });
      return s;
    });
    feed.lastFedMs = at(); // the leader's feed closed just after this report
    advance(8000); // past staleAfterMs and a takeover
    expect(store.endpoint('e0')?.stale).toBe(false);
    advance(12_001); // past the hold: the agent never came back
    expect(store.endpoint('e0')?.stale).toBe(true);
  });

  it('is what a plain store would do without the hold: stale after staleAfterMs', () => {
    const { store, advance } = setup(
      (clock) => new ClusterStateStore({ clock, staleAfterMs: 3000 }),
    );
    advance(8000);
    expect(store.endpoint('e0')?.stale).toBe(true);
  });
});
