import { describe, expect, it } from 'vitest';
import {
  standbyDecision,
  standbyEpoch,
  type StandbyView,
} from '../../../../src/leader/election/index.js';

const view = (o: Partial<StandbyView>): StandbyView => ({
  nowMs: 10_000,
  startedMs: 10_000,
  rank: 0,
  takeoverAfterMs: 3000,
  lastLeaderMs: undefined,
  lastLowerAnswerMs: undefined,
  rounds: 0,
  ...o,
});

describe('standbyDecision', () => {
  it('leads at once as replica 0 once a round found nobody leading', () => {
    expect(standbyDecision(view({ rounds: 0 }))).toBe('wait');
    expect(standbyDecision(view({ rounds: 1, nowMs: 10_050 }))).toBe('lead');
  });

  it('follows, as a restarted replica 0, another replica that leads (never two leaders)', () => {
    // Replica 1 took over while 0 was dead; 0 restarts and is fed by it within its first round.
    const restarted = view({ rank: 0, rounds: 5, nowMs: 20_000, lastLeaderMs: 20_000 });
    expect(standbyDecision(restarted)).toBe('follow');
    expect(standbyDecision({ ...restarted, nowMs: 22_999 })).toBe('follow');
  });

  it('takes over when the leader that fed it has been silent for takeoverAfterMs', () => {
    const fed = view({ rank: 1, nowMs: 30_000, lastLeaderMs: 28_000, rounds: 3 });
    expect(standbyDecision(fed)).toBe('follow');
    expect(standbyDecision({ ...fed, nowMs: 31_000 })).toBe('lead');
    expect(standbyDecision({ ...fed, rank: 0, nowMs: 31_000 })).toBe('lead');
  });

  it('waits while a replica ranked before it answers, even with the leader gone', () => {
    const v = view({ rank: 2, nowMs: 40_000, lastLeaderMs: 30_000, lastLowerAnswerMs: 39_500 });
    expect(standbyDecision(v)).toBe('wait');
    expect(standbyDecision({ ...v, lastLowerAnswerMs: 36_000 })).toBe('lead');
  });

  it('waits takeoverAfterMs after start when never fed and not replica 0', () => {
    const v = view({ rank: 1, rounds: 10 });
    expect(standbyDecision({ ...v, nowMs: 12_999 })).toBe('wait');
    expect(standbyDecision({ ...v, nowMs: 13_000 })).toBe('lead');
  });

  it('ignores answers from before this process started', () => {
    const v = view({ rank: 1, startedMs: 50_000, nowMs: 53_000, lastLowerAnswerMs: 49_999 });
    expect(standbyDecision(v)).toBe('lead');
  });
});

describe('standbyEpoch', () => {
  it('rises above every epoch seen, so agents obey only the newest leader', () => {
    expect(standbyEpoch(0, 0)).toBe(1);
    expect(standbyEpoch(1, 1)).toBe(2);
    // Replica 0 restarted, followed replica 1 (epoch 2), then takes over again.
    expect(standbyEpoch(0, 2)).toBe(3);
    expect(standbyEpoch(3, 1)).toBe(4);
  });
});
