import { describe, expect, it } from 'vitest';
import {
  decideLease,
  renewDeadlinePassed,
  type LeaseDecision,
  type LeaseDecisionInput,
  type LeaseRecord,
} from '../../../../src/leader/election/index.js';

const held = (
  holder: string | undefined,
  transitions = 3,
  durationSeconds?: number,
): LeaseRecord => ({
  holderIdentity: holder,
  leaseDurationSeconds: durationSeconds,
  acquireTimeMs: 1,
  renewTimeMs: 2,
  leaseTransitions: transitions,
});

const base: LeaseDecisionInput = {
  record: undefined,
  identity: 'me',
  nowMs: 100_000,
  observedAtMs: 100_000,
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  leading: undefined,
};

const cases: [string, Partial<LeaseDecisionInput>, LeaseDecision][] = [
  ['no lease: create it', {}, { kind: 'acquire', create: true, leaseTransitions: 0 }],
  [
    'released lease: take it, next epoch',
    { record: held('') },
    { kind: 'acquire', create: false, leaseTransitions: 4 },
  ],
  [
    'undefined holder counts as released',
    { record: held(undefined, 0) },
    { kind: 'acquire', create: false, leaseTransitions: 1 },
  ],
  [
    'another holder, just observed: wait a whole duration',
    { record: held('other') },
    { kind: 'wait', holder: 'other', expiresInMs: 15_000 },
  ],
  [
    'another holder, unchanged for less than the duration: wait',
    { record: held('other'), observedAtMs: 90_000 },
    { kind: 'wait', holder: 'other', expiresInMs: 5_000 },
  ],
  [
    'another holder, unchanged for the whole duration: take over',
    { record: held('other'), observedAtMs: 85_000 },
    { kind: 'acquire', create: false, leaseTransitions: 4 },
  ],
  [
    "the holder's own duration wins over mine",
    { record: held('other', 3, 40), observedAtMs: 80_000 },
    { kind: 'wait', holder: 'other', expiresInMs: 20_000 },
  ],
  [
    'leading and the record says me: renew',
    { record: held('me'), leading: { lastRenewMs: 98_000 } },
    { kind: 'renew' },
  ],
  [
    'record says me but I do not lead (restarted): a new term',
    { record: held('me', 7) },
    { kind: 'acquire', create: false, leaseTransitions: 8 },
  ],
  [
    'leading but the renew deadline passed: lost, whatever the record says',
    { record: held('me'), leading: { lastRenewMs: 90_000 } },
    { kind: 'lost', reason: 'renew-deadline', holder: 'me' },
  ],
  [
    'leading but someone else holds it: lost',
    { record: held('other'), leading: { lastRenewMs: 99_000 } },
    { kind: 'lost', reason: 'taken', holder: 'other' },
  ],
  [
    'leading but the lease was released by someone: lost',
    { record: held(''), leading: { lastRenewMs: 99_000 } },
    { kind: 'lost', reason: 'released', holder: undefined },
  ],
  [
    'leading but the Lease object is gone: lost',
    { leading: { lastRenewMs: 99_000 } },
    { kind: 'lost', reason: 'deleted', holder: undefined },
  ],
];

describe('decideLease', () => {
  it.each(cases)('%s', (_name, input, expected) => {
    expect(decideLease({ ...base, ...input })).toEqual(expected);
  });

  it('never lets a candidate acquire before a partitioned leader has stopped', () => {
    // The leader's last successful renewal was sent at t=0; a candidate saw it at t≥0.
    for (const seenAtMs of [0, 1, 500, 2_000]) {
      for (let nowMs = 0; nowMs <= 30_000; nowMs += 250) {
        const candidate = decideLease({
          ...base,
          record: held('old'),
          observedAtMs: seenAtMs,
          nowMs,
        });
        const leader = decideLease({
          ...base,
          identity: 'old',
          record: held('old'),
          nowMs,
          leading: { lastRenewMs: 0 },
        });
        if (candidate.kind === 'acquire') expect(leader.kind).toBe('lost');
      }
    }
  });
});

describe('renewDeadlinePassed', () => {
  it('is true from the deadline on', () => {
    expect(renewDeadlinePassed(0, 9_999, 10_000)).toBe(false);
    expect(renewDeadlinePassed(0, 10_000, 10_000)).toBe(true);
  });
});
