/**
 * Gateway replicas wired in (issue #18): every leader replica serves the gateway. The leader
 * publishes what its cluster state, KV block index and prefix index apply on the replica feed;
 * a follower applies the feed to its own copies (and sends the leader its own prefix insertions),
 * so its gateway routes as the leader's does while keeping its own in-flight counts and passive
 * health. The follower stops following the moment it leads, with its state already warm: the
 * gateway serves on through the takeover.
 */
import type { PrefixCacheIndex, PrefixIndex } from '../kvcache/index.js';
import type { LeaderBlockIndex } from './leader-block-index.js';
import {
  PROTOCOL_VERSION,
  type KvFrame,
  type KvMessage,
  type LeaderMessage,
  type PrefixInsertion,
} from '../protocol/index.js';
import {
  sleep,
  whenAborted,
  type Clock,
  type Logger,
  type Registry,
  type Rng,
  type Runnable,
} from '../shared/index.js';
import type { AgentHubOptions } from './agent-hub.js';
import { StandbyElection, type LeaderElection } from './election/index.js';
import type { LeaderConfig } from './leader-adapters.js';
import { ReplicaFeedClient } from './replica-feed-client.js';
import { ReplicaFeedMetrics } from './replica-feed-metrics.js';
import { ReplicaFeedServer } from './replica-feed-server.js';
import { freshnessJudgedAt } from './replica-freshness.js';
import { leaderTls } from './replica-leader-tls.js';
import { ReplicaPrefixLog } from './replica-prefix-log.js';
import type { ReplicatedClusterStateStore } from './replicated-cluster-state.js';
import { ReplicatedPrefixIndex } from './replicated-prefix-index.js';

export interface GatewayReplicasOptions {
  readonly config: LeaderConfig;
  readonly store: ReplicatedClusterStateStore;
  /** This replica's own prefix index (remote insertions are written to it directly). */
  readonly prefixIndex: PrefixIndex;
  readonly kvIndex: Pick<LeaderBlockIndex, 'apply'>;
  readonly kvHubOption: NonNullable<AgentHubOptions['kv']>;
  /** The agent hub's send (asks agents to resend their KV holdings when a follower joins). */
  readonly sendToAgent: (node: string, message: LeaderMessage) => boolean;
  /** This process's identity and epoch while it leads. */
  readonly leading: () => { readonly leader: string; readonly epoch: number } | undefined;
  /** The identity the election last saw leading (Kubernetes). */
  readonly otherLeader: () => string | undefined;
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly rng: Rng;
}

/** What the composition root plugs in. */
export interface GatewayReplicas {
  /** The gateway's routing prefix index (shares every insertion). */
  readonly prefixIndex: PrefixCacheIndex;
  /** The agent hub's `kv` option (relays each batch to the followers). */
  readonly kvHubOption: NonNullable<AgentHubOptions['kv']>;
  /** The control server's `/v1/replicas`. */
  readonly feed: ReplicaFeedServer;
  /** Static discovery with `replicas.follow`: the standby election; otherwise undefined. */
  readonly election: LeaderElection | undefined;
  /** Follows the leader until this process leads, then serves the feed. */
  readonly runnable: Runnable;
  /** A follower's gateway is ready: fed now, or within `replicas.readyGraceMs`. */
  readonly fresh: () => boolean;
  /** Tells the replicas part that this process now leads (stops following). */
  readonly becameLeader: () => void;
}

/** Builds the feed server, the follower's client and the tees; see the file comment. */
export function buildGatewayReplicas(o: GatewayReplicasOptions): GatewayReplicas {
  const { config, store, clock, log } = o;
  const metrics = new ReplicaFeedMetrics(o.registry);
  const prefixLog = new ReplicaPrefixLog(config.replicas.prefixLog);
  const feed = new ReplicaFeedServer({
    token: config.control.token,
    listenHost: config.control.host,
    leading: o.leading,
    snapshot: () => ({ nodes: store.replicaNodes(), prefixes: prefixLog.recent() }),
    onFollowerPrefixes: (insertions) => {
      for (const p of insertions) applyRemotePrefix(p);
      feed.publish({ type: 'replica.prefix', insertions });
    },
    // The KV index has no snapshot to send: each agent resends its holdings (one reset), which
    // reaches the new follower through the feed, as it would reach a new leader.
    onJoined: () => {
      for (const n of store.nodes())
        if (n.connected)
          o.sendToAgent(n.node, {
            v: PROTOCOL_VERSION,
            type: 'kv.resync',
            reason: 'a gateway replica joined',
          });
    },
    log: log.child({ component: 'replica-feed' }),
    metrics,
  });
  // A leader shutting down closes its agents: those losses are its own, not the agents'. Sent on,
  // they would turn every engine stale on the follower that is about to take over.
  let stopping = false;
  store.onApplied = (applied) => {
    if (applied.kind === 'node') {
      const node = {
        node: applied.node,
        agentVersion: applied.agentVersion,
        connected: true,
        snapshot: applied.snapshot,
      };
      feed.publish({ type: 'replica.node', node });
    } else if (applied.kind === 'delta') {
      feed.publish({ type: 'replica.state', node: applied.node, delta: applied.delta });
    } else if (!stopping) {
      feed.publish({ type: 'replica.lost', node: applied.node });
    }
  };
  const applyRemotePrefix = (p: PrefixInsertion): void => {
    o.prefixIndex.insert(p.hashes, p.endpoint, clock.now(), p.capacityTokens);
    prefixLog.add(p);
  };
  const applyKv = (node: string, batch: KvMessage | KvFrame): void => o.kvIndex.apply(node, batch);

  const candidates = (): readonly string[] => {
    if (config.discovery === 'static') return config.replicas.follow;
    const template = config.replicas.leaderUrl || config.console.leaderUrl;
    // A Service that selects the leader's pod: no need to know who holds the Lease.
    if (template !== '' && !template.includes('{identity}')) return [template];
    const leader = o.otherLeader();
    return template === '' || leader === undefined || leader === config.identity
      ? []
      : [template.replaceAll('{identity}', leader)];
  };
  // Kubernetes: the Lease says who leads; a Service may route to the old leader's pod for a moment.
  const acceptLeader = (leader: string): boolean => {
    if (config.discovery === 'static') return true;
    const holder = o.otherLeader();
    return holder === undefined || holder === leader;
  };
  const client = new ReplicaFeedClient({
    candidates,
    token: config.control.token,
    identity: config.identity || 'unnamed-replica', // empty means the host name, resolved later
    sinks: { store, kv: applyKv, prefix: applyRemotePrefix },
    acceptLeader,
    tls: leaderTls(config.replicas.leaderCaFile),
    log: log.child({ component: 'replica-follower' }),
    metrics,
    clock,
    rng: o.rng,
    reconnect: { initialMs: 250, maxMs: 5000, factor: 2 },
  });
  // Each pick is shared: the leader batches them per tick for its followers; a follower sends
  // them to the leader, which applies them and fans them out.
  let outgoing: PrefixInsertion[] = [];
  const share = (p: PrefixInsertion): void => {
    if (o.leading() === undefined) return client.sendPrefix(p);
    prefixLog.add(p);
    if (feed.followers === 0) return;
    outgoing.push(p);
    if (outgoing.length === 1)
      setImmediate(() => {
        const insertions = outgoing;
        outgoing = [];
        feed.publish({ type: 'replica.prefix', insertions });
      });
  };

  store.judgeFreshnessAt = (nowMs) =>
    freshnessJudgedAt({
      nowMs,
      fed: client.fed,
      lastFedMs: client.lastFedMs,
      holdMs: config.replicas.holdStateMs,
    });

  const following = new AbortController();
  const { follow } = config.replicas;
  const rank =
    config.replicas.rank < 0 ? follow.length : Math.min(config.replicas.rank, follow.length);
  const lower = follow.slice(0, rank);
  const election =
    config.discovery === 'static' && follow.length > 0
      ? new StandbyElection({
          identity: config.identity,
          rank,
          observed: () => ({
            lastLeaderMs: client.lastFedMs,
            lastLowerAnswerMs: latest(lower.map((url) => client.lastAnswerMs(url))),
            rounds: client.rounds,
            highestEpoch: client.highestEpoch,
          }),
          takeoverAfterMs: config.replicas.takeoverAfterMs,
          clock,
          wait: sleep,
        })
      : undefined;
  return {
    prefixIndex: new ReplicatedPrefixIndex(o.prefixIndex, share),
    kvHubOption: {
      agentMessage: (node, message, reply) => {
        o.kvHubOption.agentMessage(node, message, reply);
        if (message.type === 'kv') feed.publishKv(node, message);
      },
      agentGone: (node) => o.kvHubOption.agentGone(node),
    },
    feed,
    election,
    runnable: {
      name: 'gateway-replicas',
      run: async (signal) => {
        const stop = (): void => {
          stopping = true;
          following.abort();
        };
        signal.addEventListener('abort', stop, { once: true });
        await Promise.all([client.run(following.signal), feed.run(signal)]);
        signal.removeEventListener('abort', stop);
        await whenAborted(signal);
      },
    },
    fresh: () => {
      const fedMs = client.lastFedMs;
      return fedMs !== undefined && clock.now() - fedMs <= config.replicas.readyGraceMs;
    },
    becameLeader: () => following.abort(),
  };
}

/** The newest of some times; undefined when none is known. */
function latest(times: readonly (number | undefined)[]): number | undefined {
  const known = times.filter((t): t is number => t !== undefined);
  return known.length === 0 ? undefined : Math.max(...known);
}
