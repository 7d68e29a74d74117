import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeClients, PodLabeler, ROLE_LABEL } from '../../../src/kube/adapters/index.js';
import { LeaseElector } from '../../../src/leader/election/index.js';
import { K8sLeaseStore, withRoleLabel } from '../../../src/leader/election/adapters/index.js';
import { silentLogger, systemClock, systemRng } from '../../../src/shared/index.js';
import { FakeKubeApiServer } from '../../helpers/kube-api-server.js';
import { aPod, eventually } from '../../helpers/kube-builders.js';

describe('the leader label follows the Lease', () => {
  let server: FakeKubeApiServer;
  const runs: { stop: AbortController; done: Promise<void> }[] = [];

  beforeEach(async () => {
    server = await FakeKubeApiServer.start();
    for (const pod of ['pod-a', 'pod-b'])
      server.put(aPod(pod, 'infernode').withLabel('app', 'leader').build());
  });

  afterEach(async () => {
    for (const r of runs.splice(0)) {
      r.stop.abort();
      await r.done;
    }
    await server.close();
  });

  function candidate(pod: string): { stop: AbortController; lost: string[] } {
    const clients = createKubeClients(server.kubeConfig());
    const store = new K8sLeaseStore({ clients, namespace: 'infernode', requestTimeoutMs: 2000 });
    const labeler = new PodLabeler({
      clients,
      namespace: 'infernode',
      podName: pod,
      requestTimeoutMs: 2000,
    });
    const elector = new LeaseElector({
      store,
      identity: pod,
      log: silentLogger(),
      leaseDurationMs: 1500,
      renewDeadlineMs: 1000,
      retryPeriodMs: 200,
      clock: systemClock,
      rng: systemRng,
    });
    const stop = new AbortController();
    const lost: string[] = [];
    const hooks = withRoleLabel(
      { onStartedLeading: () => undefined, onStoppedLeading: (r) => lost.push(r) },
      {
        labeler,
        log: silentLogger(),
        backoff: { initialMs: 50, maxMs: 200, factor: 2 },
        rng: systemRng,
      },
    );
    runs.push({ stop, done: elector.run(stop.signal, hooks) });
    return { stop, lost };
  }

  const labelled = (role = 'leader'): string[] =>
    server
      .list('v1', 'Pod', 'infernode')
      .filter((p) => p.metadata.labels?.[ROLE_LABEL] === role)
      .map((p) => p.metadata.name ?? '');

  it('labels the winner, moves the label on handover, and survives a failing API', async () => {
    const a = candidate('pod-a');
    await eventually(() => labelled().join() === 'pod-a');
    candidate('pod-b');
    await new Promise((r) => setTimeout(r, 300));
    expect(labelled()).toEqual(['pod-a']);
    // A few failed patches on the way: the labeler retries until the label sticks.
    a.stop.abort();
    server.failNext(2);
    await eventually(() => labelled().join() === 'pod-b', 8000);
    // The one that stepped down is labelled follower: the followers' gateway Service selects it.
    await eventually(() => labelled('follower').join() === 'pod-a');
  });
});
