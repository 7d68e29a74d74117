/**
 * Hosts the node's KV block service in the agent (issue #14): the L1 store, the native block
 * service on `kv.host:kv.port` serving it to the node's engines and (when `kv.shared`) to peers,
 * L2 fetches from peers on a local miss (when `kv.l2`), and the feed of the store's changes to
 * the KV reporter's sink. The block service binds here, before the agent runs, so its URL is
 * known for the first report; a port in use fails the agent's start with one clear error.
 */
import { isLoopbackHost, type Logger, type Registry, type Runnable } from '../shared/index.js';
import type { EvictionPolicyName } from '../kvcache/index.js';
import { BlockClient, BlockServer, formatIkvUrl } from '../kvcache/adapters/index.js';
import type { KvStoreReport } from '../protocol/index.js';
import type { AgentConfig } from './agent-config.js';
import type { KvChannel, KvDeltaSink } from './kv-channel.js';
import { L1DeltaFeed, ReportingBlockStore } from './kv-l1-feed.js';
import { KvL2 } from './kv-l2.js';
import { registerKvL2Metrics } from './kv-l2-metrics.js';
import { KvLookupClient } from './kv-lookup-client.js';
import { startKvLmcache, type KvLmcache } from './kv-lmcache.js';
import type { KvStoreControl } from './kv-configure.js';
import { blockStoreControl } from './kv-store-control.js';

/** Options of {@link createKv}. */
export interface KvWiringOptions {
  readonly config: Pick<AgentConfig, 'kv' | 'node'>;
  readonly registry: Registry;
  readonly log: Logger;
  /** The KV reporter's sink (helper kvevents'); none: the store is not reported. */
  readonly sink?: KvDeltaSink;
}

/** What the agent's main gets from {@link createKv}. */
export interface KvWiring {
  readonly store: ReportingBlockStore;
  readonly server: BlockServer;
  /** `ikv://<advertised host>:<port>`. */
  readonly nativeUrl: string;
  /** The L2 lookups on the leader connection: pass as (or fan into) LeaderClient's `kv`. */
  readonly channel: KvChannel;
  readonly lookups: KvLookupClient;
  readonly l2: KvL2 | undefined;
  /** The LMCache-compatible listener on the same store; undefined unless `kv.lmcacheEnabled`. */
  readonly lmcache: KvLmcache | undefined;
  /** `kv.configure`'s hold on the store: register `kvConfigureHandler(control)`. */
  readonly control: KvStoreControl;
  /** The store's reach and fill now. */
  report(): KvStoreReport;
  /** The block service, the LMCache listener, and the peer client's lifetime. */
  readonly parts: readonly Runnable[];
}

/** The host peers reach: kv.advertiseHost, else kv.host unless a wildcard, else the node. */
export function advertisedKvHost(kv: AgentConfig['kv'], node: string): string {
  if (kv.advertiseHost !== '') return kv.advertiseHost;
  if (kv.host !== '0.0.0.0' && kv.host !== '::' && kv.host !== '') return kv.host;
  return node;
}

/**
 * Why peers cannot reach a shared block service, or undefined: it listens on loopback while
 * telling peers a host that is not (they would dial a port nothing answers on from elsewhere).
 * Loopback on both sides is a cluster on one machine (`infernode up`): every peer is local.
 */
export function loopbackSharingProblem(kv: AgentConfig['kv'], node: string): string | undefined {
  if (!kv.shared || !isLoopbackHost(kv.host)) return undefined;
  const advertised = advertisedKvHost(kv, node);
  if (isLoopbackHost(advertised)) return undefined;
  return `kv.shared is on and peers are told ${advertised}, but the block service listens on loopback (${kv.host}): peers on other machines cannot reach it`;
}

/** Builds and binds the node's KV block service; undefined when `kv.enabled` is false. */
export async function createKv(options: KvWiringOptions): Promise<KvWiring | undefined> {
  const { kv, node } = options.config;
  if (!kv.enabled) return undefined;
  const log = options.log.child({ component: 'kv' });
  const store = new ReportingBlockStore({
    budgetBytes: kv.budgetBytes,
    policy: kv.policy as EvictionPolicyName,
  });
  const lookups = new KvLookupClient({ timeoutMs: kv.lookupTimeoutMs });
  const peers = new BlockClient({
    token: kv.token,
    peer: true,
    maxFrameBytes: kv.maxFrameBytes,
    callTimeoutMs: kv.fetchTimeoutMs,
  });
  const l2 = kv.l2
    ? new KvL2({
        lookups,
        client: peers,
        store,
        node,
        keepAfterFetches: kv.l2KeepAfterFetches,
        fetchTimeoutMs: kv.fetchTimeoutMs,
        log,
      })
    : undefined;
  if (l2 !== undefined) registerKvL2Metrics(options.registry, l2.stats);
  // Sharing across nodes (kv.shared, changed at runtime by kv.configure) covers both ways:
  // answering peers and asking them (L2).
  let shared = kv.shared;
  if (l2 !== undefined) l2.enabled = shared;
  const server = new BlockServer({
    store,
    host: kv.host,
    port: kv.port,
    token: kv.token,
    servePeers: kv.shared,
    ...(l2 === undefined ? {} : { misses: l2 }),
    maxFrameBytes: kv.maxFrameBytes,
    maxConnections: kv.maxConnections,
    missTimeoutMs: kv.lookupTimeoutMs + kv.fetchTimeoutMs,
    registry: options.registry,
    log,
  });
  const port = await server.listen();
  const nativeUrl = formatIkvUrl(advertisedKvHost(kv, node), port);
  let lmcache: KvLmcache | undefined;
  try {
    lmcache = await startKvLmcache({
      kv,
      store,
      fallbackHost: advertisedKvHost(kv, node),
      registry: options.registry,
      log,
    });
  } catch (error) {
    await server.close();
    throw error;
  }
  const unreachable = loopbackSharingProblem(kv, node);
  if (unreachable !== undefined) log.warn({ host: kv.host }, unreachable);
  else if (kv.shared && isLoopbackHost(kv.host))
    log.info(
      { url: nativeUrl },
      'block service on loopback: shared with peers on this machine only',
    );
  const report = (): KvStoreReport => {
    const stats = store.stats();
    return {
      nativeUrl,
      budgetBytes: stats.budgetBytes,
      usedBytes: stats.bytes,
      blocks: stats.blocks,
      shared,
      lookups: { ...server.metrics.lookups },
      ...(lmcache === undefined ? {} : { lmcacheUrl: lmcache.url }),
    };
  };
  if (options.sink !== undefined) {
    store.reportTo(new L1DeltaFeed(options.sink, report));
    options.sink.addSource({ tier: 'l1', holdings: () => store.keys() });
    options.sink.storeChanged(report());
  }
  const peerClient: Runnable = {
    name: 'kv-peer-client',
    run: (signal) =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          peers.close();
          resolve();
        };
        if (signal.aborted) done();
        else signal.addEventListener('abort', done, { once: true });
      }),
  };
  return {
    store,
    server,
    nativeUrl,
    channel: lookups,
    lookups,
    l2,
    lmcache,
    control: blockStoreControl({
      store,
      setShared: (on) => {
        if (on === shared) return;
        shared = on;
        server.setServePeers(on);
        if (l2 !== undefined) l2.enabled = on;
        log.info({ shared: on }, `kv sharing across nodes turned ${on ? 'on' : 'off'}`);
      },
      log,
      changed: () => options.sink?.storeChanged(report()),
    }),
    report,
    parts: [server, ...(lmcache === undefined ? [] : [lmcache.part]), peerClient],
  };
}
