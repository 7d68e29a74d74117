import { describe, expect, it } from 'vitest';
import {
  CONSOLE_LIMITS,
  ConsoleEventLog,
  RingBuffer,
  RoutingDecisionLog,
} from '../../../src/console/index.js';
import {
  parseStrategy,
  pick,
  type PickTrace,
  type StrategyMix,
} from '../../../src/routing/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { aRequest, aRoutingContext, anEndpoint } from '../../helpers/routing-builders.js';

function mixOf(spec: string): StrategyMix {
  const parsed = parseStrategy(spec);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.mix;
}

describe('RingBuffer', () => {
  it('keeps the newest entries up to its capacity, newest first', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.size).toBe(3);
    expect(ring.newestFirst()).toEqual([5, 4, 3]);
    expect(ring.oldestFirst()).toEqual([3, 4, 5]);
    expect(ring.newestFirst(2)).toEqual([5, 4]);
    ring.clear();
    expect(ring.newestFirst()).toEqual([]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(1.5)).toThrow(RangeError);
  });
});

describe('ConsoleEventLog', () => {
  it('stamps increasing ids and times, keeps at most its bound, and cuts long messages', () => {
    const clock = new ManualClock(1000);
    const log = new ConsoleEventLog(clock, 10_000);
    for (let i = 0; i < CONSOLE_LIMITS.maxEvents + 5; i++) {
      clock.advance(1);
      log.record({
        kind: 'scale',
        severity: 'info',
        subject: 's',
        message: 'x'.repeat(i === 0 ? 0 : 1000),
      });
    }
    const recent = log.recent();
    expect(recent).toHaveLength(CONSOLE_LIMITS.maxEvents);
    expect(recent[0]?.id).toBe(CONSOLE_LIMITS.maxEvents + 5);
    expect(recent[0]?.atMs).toBe(1000 + CONSOLE_LIMITS.maxEvents + 5);
    expect(recent[0]?.message.length).toBeLessThanOrEqual(500);
    expect(log.since(log.lastId - 2).map((e) => e.id)).toEqual([log.lastId, log.lastId - 1]);
  });
});

describe('RoutingDecisionLog fed by pick()', () => {
  it('counts per strategy and engine and keeps candidates with their fused scores, no prompt', () => {
    const clock = new ManualClock(5000);
    const decisions = new RoutingDecisionLog(clock);
    const ctx = { ...aRoutingContext(), onPicked: decisions.record };
    const endpoints = [
      anEndpoint('n/a', { inFlight: 0 }),
      anEndpoint('n/b', { inFlight: 4 }),
      anEndpoint('n/c', { inFlight: 8 }),
    ];
    const request = aRequest({ promptText: 'a secret prompt' });
    const chosen = pick({ endpoints, nowMs: 0 }, request, mixOf('least-request'), ctx);
    expect(chosen.id).toBe('n/a');
    const view = decisions.view();
    expect(view.requestsTotal).toBe(1);
    expect(view.byStrategy).toEqual({ 'least-request': 1 });
    expect(view.byEngine).toEqual({ 'n/a': 1 });
    const decision = view.recent[0];
    expect(decision?.picked).toBe('n/a');
    expect(decision?.atMs).toBe(5000);
    expect(decision?.candidates.map((c) => c.engine)).toEqual(['n/a', 'n/b', 'n/c']);
    expect(decision?.candidates[0]?.score).toBe(1);
    expect(decision?.candidates[2]?.score).toBe(0);
    expect(decision?.reason).toMatch(/best score of 3/);
    expect(JSON.stringify(view)).not.toContain('secret');
  });

  it('shows the best maxCandidates of many candidates, as sorting them all would', () => {
    const traces: PickTrace[] = [];
    const decisions = new RoutingDecisionLog(new ManualClock());
    const ctx = {
      ...aRoutingContext(),
      onPicked: (t: PickTrace) => {
        traces.push(t);
        decisions.record(t);
      },
    };
    // 40 engines, loads in a scrambled order with ties, so order and ties both matter.
    const endpoints = Array.from({ length: 40 }, (_, i) =>
      anEndpoint(`n/e${i}`, { inFlight: (i * 7) % 13 }),
    );
    pick({ endpoints, nowMs: 0 }, aRequest(), mixOf('least-request'), ctx);
    const all = [...(traces[0]?.candidates ?? [])].sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
    expect(decisions.view().recent[0]?.candidates).toEqual(
      all.slice(0, CONSOLE_LIMITS.maxCandidates).map((c) => ({ engine: c.id, score: c.score })),
    );
    expect(decisions.view().recent[0]?.reason).toMatch(/of 40/);
  });

  it('records a request no engine could take, and counts prefix hits only for scored prefix picks', () => {
    const decisions = new RoutingDecisionLog(new ManualClock());
    const ctx = { ...aRoutingContext(), onPicked: decisions.record };
    const down = [anEndpoint('n/a', { ready: false })];
    expect(() => pick({ endpoints: down, nowMs: 0 }, aRequest(), mixOf('random'), ctx)).toThrow();
    expect(decisions.view().recent[0]).toMatchObject({ picked: null, reason: 'no ready engine' });
    expect(decisions.view().requestsTotal).toBe(0);
    expect(decisions.view().prefixHitRatio).toBeNull();

    const two = [anEndpoint('n/a'), anEndpoint('n/b')];
    const request = aRequest({ promptText: 'p'.repeat(4000), promptTokens: 1000 });
    // First request: nothing cached anywhere (a miss); prefix-cache then remembers its winner.
    const first = pick({ endpoints: two, nowMs: 0 }, request, mixOf('prefix-cache'), ctx);
    const second = pick({ endpoints: two, nowMs: 1 }, request, mixOf('prefix-cache'), ctx);
    expect(second.id).toBe(first.id);
    expect(decisions.view().prefixHitRatio).toBe(0.5);
  });

  it('holds at most maxDecisions and bounds its counter keys', () => {
    const decisions = new RoutingDecisionLog(new ManualClock());
    for (let i = 0; i < 1500; i++)
      decisions.record({
        model: 'm',
        strategies: ['random'],
        chosen: `n/e${i}`,
        candidates: [{ id: `n/e${i}`, score: undefined }],
        candidateCount: 1,
        topCandidates: () => [{ id: `n/e${i}`, score: undefined }],
        tie: false,
        prefixHit: undefined,
      });
    const view = decisions.view();
    expect(view.recent).toHaveLength(CONSOLE_LIMITS.maxDecisions);
    expect(Object.keys(view.byEngine)).toHaveLength(1025);
    expect(view.byEngine.other).toBe(1500 - 1024);
    expect(view.recent[0]?.reason).toBe('only ready engine');
  });
});
