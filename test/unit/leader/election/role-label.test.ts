import { describe, expect, it } from 'vitest';
import { withRoleLabel, type RoleLabeler } from '../../../../src/leader/election/adapters/index.js';
import { AppError, SeededRng, silentLogger } from '../../../../src/shared/index.js';
import { eventually } from '../../../helpers/kube-builders.js';

class FakeLabeler implements RoleLabeler {
  readonly calls: string[] = [];
  failures = 0;
  markLeader(): Promise<void> {
    this.calls.push('leader');
    if (this.failures-- > 0) return Promise.reject(new AppError('K8S_UNAVAILABLE', 'down'));
    return Promise.resolve();
  }
  markFollower(): Promise<void> {
    this.calls.push('follower');
    return Promise.resolve();
  }
}

describe('withRoleLabel', () => {
  const backoff = { initialMs: 5, maxMs: 20, factor: 2 };

  it('starts the leader parts at once and labels in the background, retrying', async () => {
    const labeler = new FakeLabeler();
    labeler.failures = 2;
    const events: string[] = [];
    const hooks = withRoleLabel(
      {
        onStartedLeading: () => events.push('started'),
        onStoppedLeading: () => events.push('stopped'),
      },
      { labeler, log: silentLogger(), backoff, rng: new SeededRng(1) },
    );
    hooks.onStartedLeading({ identity: 'a', epoch: 3, signal: new AbortController().signal });
    expect(events).toEqual(['started']);
    await eventually(() => labeler.calls.length === 3);
    expect(labeler.calls).toEqual(['leader', 'leader', 'leader']);
  });

  it('stops retrying when the term ends, and unlabels before reporting the loss', async () => {
    const labeler = new FakeLabeler();
    labeler.failures = 1000;
    const events: string[] = [];
    const hooks = withRoleLabel(
      {
        onStartedLeading: () => undefined,
        onStoppedLeading: (r) => events.push(`stopped:${r}`),
        onNewLeader: (id) => events.push(`new:${id}`),
      },
      { labeler, log: silentLogger(), backoff, rng: new SeededRng(1) },
    );
    const term = new AbortController();
    hooks.onStartedLeading({ identity: 'a', epoch: 1, signal: term.signal });
    await eventually(() => labeler.calls.length >= 2);
    term.abort();
    hooks.onStoppedLeading('renew deadline passed');
    await eventually(() => events.includes('stopped:renew deadline passed'));
    const n = labeler.calls.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(labeler.calls.length).toBe(n);
    expect(labeler.calls.at(-1)).toBe('follower');
    hooks.onNewLeader?.('b');
    expect(events.at(-1)).toBe('new:b');
  });
});
