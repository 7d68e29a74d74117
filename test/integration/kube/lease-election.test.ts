import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeClients } from '../../../src/kube/adapters/index.js';
import { K8sLeaseStore } from '../../../src/leader/election/adapters/index.js';
import {
  LeaseElector,
  type LeaseRecord,
  type LeaseStore,
  type LeaseStoreCallOptions,
  type Leadership,
  type StoredLease,
} from '../../../src/leader/election/index.js';
import { AppError, silentLogger, systemClock, systemRng } from '../../../src/shared/index.js';
import { FakeKubeApiServer } from '../../helpers/kube-api-server.js';
import { eventually } from '../../helpers/kube-builders.js';

/** Wraps a store; while partitioned every call hangs until its signal aborts (a black hole). */
class PartitionableStore implements LeaseStore {
  partitioned = false;
  readonly #inner: LeaseStore;
  constructor(inner: LeaseStore) {
    this.#inner = inner;
  }
  #gate<T>(options: LeaseStoreCallOptions, call: () => Promise<T>): Promise<T> {
    if (!this.partitioned) return call();
    return new Promise((_resolve, reject) => {
      options.signal?.addEventListener('abort', () =>
        reject(new AppError('K8S_REQUEST_TIMEOUT', 'partitioned')),
      );
    });
  }
  get(o: LeaseStoreCallOptions): Promise<StoredLease | undefined> {
    return this.#gate(o, () => this.#inner.get(o));
  }
  create(r: LeaseRecord, o: LeaseStoreCallOptions): Promise<StoredLease> {
    return this.#gate(o, () => this.#inner.create(r, o));
  }
  update(r: LeaseRecord, v: string, o: LeaseStoreCallOptions): Promise<StoredLease> {
    return this.#gate(o, () => this.#inner.update(r, v, o));
  }
}

interface Candidate {
  readonly identity: string;
  readonly store: PartitionableStore;
  readonly stop: AbortController;
  done: Promise<void>;
  readonly startedAt: number[];
  readonly stoppedAt: number[];
  readonly lostReasons: string[];
  readonly newLeaders: string[];
  leadership: Leadership | undefined;
  isLeading(): boolean;
}

const durations = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 };

describe('Lease election on the fake API server', () => {
  let server: FakeKubeApiServer;
  const candidates: Candidate[] = [];

  beforeEach(async () => {
    server = await FakeKubeApiServer.start();
  });

  afterEach(async () => {
    for (const c of candidates.splice(0)) {
      c.store.partitioned = false;
      c.stop.abort();
      await c.done;
    }
    await server.close();
  });

  function candidate(identity: string, timing: typeof durations = durations): Candidate {
    const store = new PartitionableStore(
      new K8sLeaseStore({
        clients: createKubeClients(server.kubeConfig()),
        namespace: 'infernode',
        requestTimeoutMs: 2000,
      }),
    );
    const elector = new LeaseElector({
      store,
      identity,
      log: silentLogger(),
      ...timing,
      clock: systemClock,
      rng: systemRng,
    });
    const stop = new AbortController();
    const c: Candidate = {
      identity,
      store,
      stop,
      done: Promise.resolve(),
      startedAt: [],
      stoppedAt: [],
      lostReasons: [],
      newLeaders: [],
      leadership: undefined,
      isLeading: () => c.leadership !== undefined && !c.leadership.signal.aborted,
    };
    c.done = elector.run(stop.signal, {
      onStartedLeading(l) {
        c.leadership = l;
        c.startedAt.push(performance.now());
        l.signal.addEventListener('abort', () => c.stoppedAt.push(performance.now()));
      },
      onStoppedLeading: (reason) => c.lostReasons.push(reason),
      onNewLeader: (id) => c.newLeaders.push(id),
    });
    candidates.push(c);
    return c;
  }

  type LeaseSpec = { holderIdentity?: string; leaseTransitions?: number } | undefined;
  const lease = (): LeaseSpec =>
    server.get('coordination.k8s.io/v1', 'Lease', 'infernode', 'infernode-leader')
      ?.spec as LeaseSpec;

  it('two candidates: exactly one leads at any time, and the follower learns who', async () => {
    const a = candidate('pod-a');
    const b = candidate('pod-b');
    await eventually(() => a.isLeading() || b.isLeading());
    const until = Date.now() + 2500;
    while (Date.now() < until) {
      expect([a, b].filter((c) => c.isLeading())).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 20));
    }
    const [leader, follower] = a.isLeading() ? [a, b] : [b, a];
    expect(lease()?.holderIdentity).toBe(leader.identity);
    expect(leader.leadership?.epoch).toBe(0);
    await eventually(() => follower.newLeaders.includes(leader.identity));
    expect(leader.lostReasons).toEqual([]);
  });

  it('a cleanly stopped leader releases the lease and the other takes over at once', async () => {
    // A long lease: without the release, pod-b could not lead before it expired (20 s after
    // pod-b first saw it renewed), so leading well within that proves the release, however
    // slow a loaded machine is (a 1.5 s lease made this a race against expiry).
    const timing = { leaseDurationMs: 20_000, renewDeadlineMs: 10_000, retryPeriodMs: 200 };
    const a = candidate('pod-a', timing);
    await eventually(() => a.isLeading());
    const b = candidate('pod-b', timing);
    await eventually(() => b.newLeaders.includes('pod-a'));
    expect(b.isLeading()).toBe(false);
    const stoppedAt = performance.now();
    a.stop.abort();
    await a.done;
    expect(a.leadership?.signal.aborted).toBe(true);
    expect(a.lostReasons).toEqual([]);
    await eventually(() => b.isLeading(), 15_000);
    expect(b.startedAt[0]! - stoppedAt).toBeLessThan(timing.leaseDurationMs);
    expect(b.leadership?.epoch).toBe(1);
    expect(lease()).toMatchObject({ holderIdentity: 'pod-b', leaseTransitions: 1 });
  });

  it('a partitioned leader stops acting before a new one starts, within the lease duration', async () => {
    const a = candidate('pod-a');
    await eventually(() => a.isLeading());
    const b = candidate('pod-b');
    await eventually(() => b.newLeaders.includes('pod-a'));
    const cutAt = performance.now();
    a.store.partitioned = true;
    await eventually(() => b.isLeading(), 8000);
    await a.done; // run returns after losing: the process exits non-zero
    expect(a.lostReasons).toEqual(['renew deadline passed']);
    expect(a.stoppedAt[0]!).toBeLessThan(b.startedAt[0]!);
    // The Lease carries whole seconds (1.5 s → 2 s); takeover within that plus retries and slack.
    expect(b.startedAt[0]! - cutAt).toBeLessThan(2000 + 3 * durations.retryPeriodMs + 1500);
    expect(b.leadership?.epoch).toBe(1);
  });

  it('a killed leader (never heard from again) is replaced and the epoch moves on', async () => {
    const a = candidate('pod-a');
    const b = candidate('pod-b');
    await eventually(() => a.isLeading() || b.isLeading());
    const [leader, follower] = a.isLeading() ? [a, b] : [b, a];
    const epoch = leader.leadership!.epoch;
    leader.store.partitioned = true;
    await eventually(() => follower.isLeading(), 8000);
    expect(follower.leadership!.epoch).toBe(epoch + 1);
    expect(lease()?.holderIdentity).toBe(follower.identity);
  });
});
