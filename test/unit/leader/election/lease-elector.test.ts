import { describe, expect, it } from 'vitest';
import {
  electionIssues,
  LeaseElector,
  type Leadership,
} from '../../../../src/leader/election/index.js';
import {
  AppError,
  ConfigError,
  silentLogger,
  systemClock,
  systemRng,
} from '../../../../src/shared/index.js';
import { FakeLeaseStore } from '../../../helpers/fake-lease-store.js';
import { eventually } from '../../../helpers/kube-builders.js';

// Real time: these tests run the elector's timers and watchdog as production does.
const time = { clock: systemClock, rng: systemRng };
const fast = { leaseDurationMs: 300, renewDeadlineMs: 200, retryPeriodMs: 20, ...time };

describe('LeaseElector', () => {
  it('refuses durations that would allow two leaders', () => {
    const store = new FakeLeaseStore();
    expect(
      () =>
        new LeaseElector({
          store,
          identity: 'a',
          log: silentLogger(),
          leaseDurationMs: 10_000,
          renewDeadlineMs: 10_000,
          ...time,
        }),
    ).toThrow(ConfigError);
    expect(
      electionIssues({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }),
    ).toEqual([]);
    expect(
      electionIssues({ leaseDurationMs: 5, renewDeadlineMs: 6, retryPeriodMs: 7 }).map(
        (i) => i.path,
      ),
    ).toEqual(['kube.election.renewDeadlineMs', 'kube.election.retryPeriodMs']);
  });

  it('creates the lease, leads with epoch 0, renews, and releases on a clean stop', async () => {
    const store = new FakeLeaseStore();
    const stop = new AbortController();
    let leadership: Leadership | undefined;
    const stopped: string[] = [];
    const done = new LeaseElector({ store, identity: 'a', log: silentLogger(), ...fast }).run(
      stop.signal,
      {
        onStartedLeading: (l) => (leadership = l),
        onStoppedLeading: (r) => stopped.push(r),
      },
    );
    await eventually(() => leadership);
    expect(leadership).toMatchObject({ identity: 'a', epoch: 0 });
    const firstRenew = store.current!.record.renewTimeMs!;
    await eventually(() => store.current!.record.renewTimeMs! > firstRenew);
    stop.abort();
    await done;
    expect(leadership!.signal.aborted).toBe(true);
    expect(stopped).toEqual([]);
    expect(store.current!.record).toMatchObject({ holderIdentity: '', leaseTransitions: 0 });
  });

  it('stops leading once the renew deadline passes without a renewal, and returns', async () => {
    const store = new FakeLeaseStore();
    let leadership: Leadership | undefined;
    const stopped: string[] = [];
    const done = new LeaseElector({ store, identity: 'a', log: silentLogger(), ...fast }).run(
      new AbortController().signal,
      {
        onStartedLeading: (l) => (leadership = l),
        onStoppedLeading: (r) => stopped.push(r),
      },
    );
    await eventually(() => leadership);
    store.failWith = new AppError('K8S_UNAVAILABLE', 'down');
    const cutAt = Date.now();
    await done;
    expect(stopped).toEqual(['renew deadline passed']);
    expect(leadership!.signal.aborted).toBe(true);
    expect(Date.now() - cutAt).toBeLessThan(fast.renewDeadlineMs + 1000);
  });

  it('a follower reports the holder and waits while the lease is fresh', async () => {
    const store = new FakeLeaseStore();
    await store.create({
      holderIdentity: 'other',
      leaseDurationSeconds: 60,
      acquireTimeMs: 1,
      renewTimeMs: 1,
      leaseTransitions: 4,
    });
    const stop = new AbortController();
    const leaders: string[] = [];
    let started = false;
    const done = new LeaseElector({ store, identity: 'a', log: silentLogger(), ...fast }).run(
      stop.signal,
      {
        onStartedLeading: () => (started = true),
        onStoppedLeading: () => undefined,
        onNewLeader: (id) => leaders.push(id),
      },
    );
    await eventually(() => leaders.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(started).toBe(false);
    expect(leaders).toEqual(['other']);
    stop.abort();
    await done;
    expect(store.current!.record.holderIdentity).toBe('other');
  });
});
