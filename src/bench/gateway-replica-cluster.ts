/**
 * Gateway replicas for `bench gateway --replicas`: follower leader processes started next to the
 * bench cluster's leader, each on its own gateway and control ports, fed by the leader's replica
 * feed (`replicas.follow`, static discovery). `infernode up` has no `--gateways` yet, so the
 * bench starts them itself through the cluster's own supervisor (stopped with the cluster).
 */
import { join } from 'node:path';
import { freePorts, sleep } from '../shared/index.js';
import type { BenchCluster } from './bench-cluster.js';

/** One gateway replica: the leader (index 0) or a follower. */
export interface GatewayReplica {
  readonly name: string;
  readonly gatewayPort: number;
  readonly controlPort: number;
}

/** The bench cluster's replicas and the leader kill. */
export interface ReplicaSet {
  /** Leader first, then the followers in their takeover order. */
  readonly replicas: readonly GatewayReplica[];
  /** SIGKILLs the leader (not restarted); resolves with the wall-clock time of the kill, ms. */
  killLeader(): number;
  /**
   * Polls every follower's `/v1/cluster` until one reports an epoch (it leads); resolves with its
   * name and the wall-clock time it was first seen leading, or undefined after `timeoutMs`.
   */
  waitForNewLeader(timeoutMs: number): Promise<{ name: string; atMs: number } | undefined>;
}

/** How the followers are started. */
export interface ReplicaSetOptions {
  /** Replicas in all, leader included (≥ 1). */
  readonly count: number;
  /** The leader's own flags (routing strategy...), repeated for every follower. */
  readonly leaderArgs: readonly string[];
  /** A follower leads when the replicas before it have been silent this long, ms. */
  readonly takeoverAfterMs: number;
  readonly readyTimeoutMs: number;
  readonly report: (line: string) => void;
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.json();
}

/** Resolves once the replica's control port is ready and its gateway serves one request. */
async function waitUntilReplicaServes(
  host: string,
  replica: GatewayReplica,
  model: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not started';
  while (Date.now() < deadline) {
    try {
      const ready = await fetch(`http://${host}:${replica.controlPort}/readyz`, {
        signal: AbortSignal.timeout(2000),
      });
      if (!ready.ok) throw new Error(`/readyz answered ${ready.status}`);
      const res = await fetch(`http://${host}:${replica.gatewayPort}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 }),
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      if (res.ok) return;
      last = `gateway answered ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`gateway replica ${replica.name} did not serve in ${timeoutMs} ms: ${last}`);
}

/** Starts `count − 1` followers behind the bench cluster's leader and waits until each serves. */
export async function startReplicaSet(
  bench: BenchCluster,
  model: string,
  o: ReplicaSetOptions,
): Promise<ReplicaSet> {
  const { host } = bench;
  const leader: GatewayReplica = {
    name: 'leader',
    gatewayPort: bench.gatewayPort,
    controlPort: bench.controlPort,
  };
  const replicas: GatewayReplica[] = [leader];
  const ports = await freePorts(2 * (o.count - 1));
  for (let k = 1; k < o.count; k++) {
    const replica: GatewayReplica = {
      name: `gateway-replica-${k}`,
      gatewayPort: ports[2 * (k - 1)] ?? 0,
      controlPort: ports[2 * (k - 1) + 1] ?? 0,
    };
    const follow = replicas.map((r) => `http://${host}:${r.controlPort}`);
    bench.cluster.supervisor.start({
      name: replica.name,
      env: { INFERNODE_CLUSTER_SECRET: bench.cluster.secret, INFERNODE_AGENT_TOKEN: '' },
      args: [
        'leader',
        ...['--cluster-file', join(bench.dir, 'cluster.yaml')],
        ...['--gateway-host', host, '--gateway-port', String(replica.gatewayPort)],
        ...['--control-host', host, '--control-port', String(replica.controlPort)],
        ...['--identity', `leader-${k}`, '--replicas-follow', follow.join(',')],
        ...['--replicas-takeover-after-ms', String(o.takeoverAfterMs)],
        ...o.leaderArgs,
      ],
    });
    replicas.push(replica);
  }
  for (const r of replicas.slice(1)) {
    await waitUntilReplicaServes(host, r, model, o.readyTimeoutMs);
    o.report(`gateway replica ${r.name} serves on :${r.gatewayPort} (control :${r.controlPort})`);
  }
  return {
    replicas,
    killLeader: () => {
      bench.cluster.supervisor.kill('leader', 'SIGKILL', { restart: false });
      return Date.now();
    },
    waitForNewLeader: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        for (const r of replicas.slice(1)) {
          const view = (await getJson(`http://${host}:${r.controlPort}/v1/cluster`).catch(
            () => undefined,
          )) as { epoch?: unknown } | undefined;
          if (typeof view?.epoch === 'number') return { name: r.name, atMs: Date.now() };
        }
        await sleep(50);
      }
      return undefined;
    },
  };
}
