import { getEventListeners } from 'node:events';
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createKubeClients,
  InformerSupervisor,
  kubeCall,
} from '../../../src/kube/adapters/index.js';
import {
  createRegistry,
  SeededRng,
  silentLogger,
  sleep,
  type Registry,
} from '../../../src/shared/index.js';
import { FakeKubeApiServer } from '../../helpers/kube-api-server.js';
import { aPod, eventually } from '../../helpers/kube-builders.js';

describe('InformerSupervisor on the fake API server', () => {
  let server: FakeKubeApiServer;
  let stop: AbortController;
  let done: Promise<void>;
  let delays: number[];
  let registry: Registry;

  beforeEach(async () => {
    server = await FakeKubeApiServer.start();
    stop = new AbortController();
    delays = [];
    registry = createRegistry({ defaultMetrics: false });
    clockOffsetMs = 0;
  });

  afterEach(async () => {
    stop.abort();
    await done;
    await server.close();
  });

  let clockOffsetMs = 0;
  const clock = {
    now: () => Date.now() + clockOffsetMs,
    monotonicMs: () => performance.now() + clockOffsetMs,
  };

  function start(): InformerSupervisor<V1Pod> {
    const clients = createKubeClients(server.kubeConfig());
    const supervisor = new InformerSupervisor<V1Pod>({
      name: 'pods',
      kubeConfig: clients.kubeConfig,
      path: '/api/v1/pods',
      list: (signal) =>
        kubeCall('list pods', { signal, timeoutMs: 2000 }, (o) =>
          clients.core.listPodForAllNamespaces({}, o),
        ),
      log: silentLogger(),
      registry,
      clock,
      rng: new SeededRng(7),
      // Record the backoff the supervisor asks for, but wait only a moment.
      delay: (ms, signal) => {
        delays.push(ms);
        return sleep(5, signal);
      },
    });
    done = supervisor.run(stop.signal);
    return supervisor;
  }

  const names = (s: InformerSupervisor<V1Pod>): string =>
    s
      .list()
      .map((p) => p.metadata?.name)
      .sort()
      .join(',');
  const lists = (): number =>
    server.requests.filter((r) => r.path === '/api/v1/pods' && !r.query.includes('watch=true'))
      .length;

  it('syncs, then follows adds, updates and deletes', async () => {
    server.put(aPod('a').build());
    const s = start();
    await s.synced;
    expect(names(s)).toBe('a');
    server.put(aPod('b').build());
    server.put(aPod('a').ready().build());
    await eventually(() => names(s) === 'a,b');
    await eventually(
      () => s.list().find((p) => p.metadata?.name === 'a')?.status?.phase === 'Running',
    );
    server.delete('v1', 'Pod', 'default', 'b');
    await eventually(() => names(s) === 'a');
    expect(s.restarts).toBe(0);
  });

  it('asks for bookmarks and a server-side timeout on its watches', async () => {
    const s = start();
    await s.synced;
    await eventually(() => server.watchCount === 1);
    const watch = server.requests.find((r) => r.query.includes('watch=true'))!;
    expect(watch.query).toContain('allowWatchBookmarks=true');
    expect(watch.query).toMatch(/timeoutSeconds=\d+/);
  });

  it('a watch the server ends cleanly is resumed without a relist or a restart', async () => {
    const s = start();
    await s.synced;
    await eventually(() => server.watchCount === 1);
    server.dropWatches(false);
    server.put(aPod('after').build());
    await eventually(() => names(s) === 'after');
    expect(lists()).toBe(1);
    expect(s.restarts).toBe(0);
  });

  it('restarts after a dropped connection and catches up from its resourceVersion', async () => {
    const s = start();
    await s.synced;
    await eventually(() => server.watchCount === 1);
    server.dropWatches(true);
    server.put(aPod('during').build());
    await eventually(() => names(s) === 'during');
    expect(s.restarts).toBeGreaterThanOrEqual(1);
    expect(lists()).toBe(1);
    await eventually(() => server.watchCount === 1);
  });

  it('rides out a storm of 500s with growing backoff, then recovers', async () => {
    server.put(aPod('a').build());
    const s = start();
    await s.synced;
    await eventually(() => server.watchCount === 1);
    server.failNext(6);
    server.dropWatches(true);
    server.put(aPod('b').build());
    await eventually(() => names(s) === 'a,b');
    expect(s.restarts).toBeGreaterThanOrEqual(5);
    // Restarts and list calls leave no listener behind on the process-lifetime signal (before:
    // one more per restart and per list call).
    expect(getEventListeners(stop.signal, 'abort').length).toBeLessThanOrEqual(1);
    // 1 s doubling, half-jittered: each cap is twice the last.
    expect(delays[0]).toBeGreaterThanOrEqual(500);
    expect(delays[0]).toBeLessThanOrEqual(1000);
    expect(delays[4]).toBeGreaterThanOrEqual(8000);
    expect(delays.every((d) => d <= 30_000)).toBe(true);
    const text = await registry.metrics();
    expect(text).toContain(`infernode_kube_informer_restarts_total{informer="pods"} ${s.restarts}`);
    expect(text).toContain('infernode_kube_informer_synced{informer="pods"} 1');
  });

  it('backoff starts over after a healthy period', async () => {
    const s = start();
    await s.synced;
    await eventually(() => server.watchCount === 1);
    server.failNext(3);
    server.dropWatches(true);
    await eventually(() => s.restarts >= 4 && server.watchCount === 1);
    expect(delays[3]).toBeGreaterThanOrEqual(4000);
    clockOffsetMs += 61_000; // the watch has now been healthy for over a minute
    server.dropWatches(true);
    await eventually(() => s.restarts >= 5);
    expect(delays[4]).toBeLessThanOrEqual(1000);
  });

  it('relists after 410 Gone, dropping what was deleted while it was away', async () => {
    server.put(aPod('keep').build());
    server.put(aPod('gone').build());
    const s = start();
    await s.synced;
    await eventually(() => server.watchCount === 1);
    server.failNext(2);
    server.dropWatches(true);
    server.delete('v1', 'Pod', 'default', 'gone');
    server.put(aPod('new').build());
    server.expireResourceVersions();
    await eventually(() => names(s) === 'keep,new');
    expect(lists()).toBeGreaterThanOrEqual(2);
  });

  it('relists when an open watch gets a 410 ERROR event', async () => {
    const s = start();
    await s.synced;
    await eventually(() => server.watchCount === 1);
    server.expireResourceVersions();
    await eventually(() => lists() === 2);
    server.put(aPod('later').build());
    await eventually(() => names(s) === 'later');
    expect(s.restarts).toBe(0);
  });

  it('stays unsynced while the API fails, and syncs once it answers', async () => {
    server.failForMs(300);
    const s = start();
    let synced = false;
    void s.synced.then(() => (synced = true));
    await sleep(100);
    expect(synced).toBe(false);
    await eventually(() => synced);
    expect(s.restarts).toBeGreaterThanOrEqual(1);
  });
});
