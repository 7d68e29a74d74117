/**
 * `infernode up --gateways N` (issue #18): N leader processes, each serving the gateway on its
 * own ports. Every replica follows all the others (`--replicas-follow`, static discovery) with its
 * place (`--replicas-rank`): replica 0 (the cluster file's ports) leads first, the others follow
 * and take over when the leader goes; a replica restarted while another leads follows that one.
 * The plan is pure; the wait reads each replica's /readyz.
 */
import { AppError, freePorts, linkedSignal, sleep } from '../shared/index.js';

/** One leader process of the local cluster. */
export interface LeaderReplica {
  /** Its place: 0 leads first. */
  readonly index: number;
  /** `--identity` (`leader-<index>`). */
  readonly identity: string;
  readonly gatewayPort: number;
  readonly controlPort: number;
  readonly gatewayUrl: string;
  readonly controlUrl: string;
  /** The control URLs of every other replica in rank order (its `--replicas-follow`). */
  readonly follow: readonly string[];
}

/**
 * The replicas' ports and follow lists: replica 0 on the file's ports, the others on `extraPorts`
 * (two each: gateway, control).
 */
export function planLeaderReplicas(
  host: string,
  first: { readonly gatewayPort: number; readonly controlPort: number },
  extraPorts: readonly number[],
  count: number,
): LeaderReplica[] {
  if (extraPorts.length < 2 * (count - 1))
    throw new Error(`${count} gateways need ${2 * (count - 1)} extra ports`);
  const replicas: Omit<LeaderReplica, 'follow'>[] = [];
  for (let k = 0; k < count; k++) {
    const gatewayPort = k === 0 ? first.gatewayPort : (extraPorts[2 * (k - 1)] as number);
    const controlPort = k === 0 ? first.controlPort : (extraPorts[2 * (k - 1) + 1] as number);
    replicas.push({
      index: k,
      identity: `leader-${k}`,
      gatewayPort,
      controlPort,
      gatewayUrl: `http://${host}:${gatewayPort}`,
      controlUrl: `http://${host}:${controlPort}`,
    });
  }
  return replicas.map((r) => ({
    ...r,
    follow: replicas.filter((o) => o.index !== r.index).map((o) => o.controlUrl),
  }));
}

/** The replicas of `up --gateways count`, the extra ones on free loopback ports. */
export async function leaderReplicas(
  host: string,
  first: { readonly gatewayPort: number; readonly controlPort: number },
  count: number,
): Promise<LeaderReplica[]> {
  const extra = count > 1 ? await freePorts(2 * (count - 1)) : [];
  return planLeaderReplicas(host, first, extra, count);
}

/** The `leader` command line of one replica (before the caller's extra flags). */
export function leaderReplicaArgs(
  replica: LeaderReplica,
  clusterPath: string,
  host: string,
): string[] {
  return [
    'leader',
    '--cluster-file',
    clusterPath,
    '--gateway-host',
    host,
    '--gateway-port',
    String(replica.gatewayPort),
    '--control-host',
    host,
    '--control-port',
    String(replica.controlPort),
    '--identity',
    replica.identity,
    ...(replica.follow.length === 0
      ? []
      : ['--replicas-follow', replica.follow.join(','), '--replicas-rank', String(replica.index)]),
  ];
}

/**
 * The agents' hub URLs, replica 0 first: an agent tries them in turn and stays with the one that
 * leads (a follower refuses agents with 503), so a takeover keeps agent reports flowing.
 */
export function agentHubUrls(replicas: readonly LeaderReplica[]): string[] {
  return replicas.map((r) => `${r.controlUrl.replace(/^http/, 'ws')}/v1/agents`);
}

/** Resolves once every follower answers /readyz with 200 (fed by the leader's state feed). */
export async function waitForFollowersReady(
  replicas: readonly LeaderReplica[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const waiting = new Set(replicas.filter((r) => r.index > 0));
  while (waiting.size > 0) {
    if (signal?.aborted === true) throw new AppError('PROC_CHILD_FAILED', 'stopped while starting');
    for (const r of [...waiting]) {
      const link = linkedSignal([signal], 2000);
      const ok = await fetch(`${r.controlUrl}/readyz`, { signal: link.signal })
        .then((res) => res.ok)
        .catch(() => false)
        .finally(link.dispose);
      if (ok) waiting.delete(r);
    }
    if (waiting.size === 0) return;
    if (Date.now() > deadline)
      throw new AppError(
        'PROC_CHILD_FAILED',
        `gateway replicas not ready after ${timeoutMs} ms: ${[...waiting].map((r) => r.identity).join(', ')}`,
      );
    await sleep(200, signal);
  }
}
