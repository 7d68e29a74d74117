/**
 * The agent's KV event path (issue #14): one vLLM KV event subscriber per engine of this node
 * that publishes events (EngineEndpoint.kvEvents), each engine's holdings a KvHoldingsSource of
 * the KV reporter, and the reporter as the leader client's `kv` channel. main.ts builds it with
 * createKvEventsWiring and runs `part`; fanOutKvChannel(wiring.reporter, …) lets the L1 lookup
 * client share the channel, and wiring.reporter is the KvDeltaSink the L1 store reports to.
 */
import type { Timers } from '../controllers/index.js';
import type { ClusterSource, ClusterView, EngineEndpoint } from '../discovery/index.js';
import { EngineKvHoldings } from '../kvcache/index.js';
import {
  startKvEventSubscriber,
  type KvEventSubscriber,
  type KvEventSubscriberStats,
} from '../kvcache/adapters/index.js';
import { whenAborted, type Logger, type Runnable } from '../shared/index.js';
import { KvReporter } from './kv-reporter.js';
import type { EngineLoraIds } from './engine-lora-ids.js';

/** Options of the KV event wiring. */
export interface KvEventsWiringOptions {
  readonly source: ClusterSource;
  /** This agent's node: only its engines are subscribed to. */
  readonly node: string;
  readonly log: Logger;
  readonly timers: Timers;
  /** Reporter flush interval, ms. Default 100. */
  readonly flushIntervalMs?: number;
  /**
   * Names a BlockStored's vLLM `lora_id` (EngineLoraIds); without it, adapter blocks are dropped
   * (counted in the holdings' skips), never mixed with the base model's.
   */
  readonly loraIds?: Pick<EngineLoraIds, 'seedFor' | 'engineRestarted'>;
  /** Blocks tracked per engine. Default 1,048,576 (a large GPU's cache at 16 tokens a block). */
  readonly maxBlocksPerEngine?: number;
}

/** What main.ts plugs in. */
export interface KvEventsWiring {
  /** The leader client's `kv` channel and the L1 store's delta sink. */
  readonly reporter: KvReporter;
  /** Keeps one subscriber per event-publishing engine of the node while it runs. */
  readonly part: Runnable;
  /** The engine watcher saw the engine restart: its holdings are gone. */
  engineRestarted(engineId: string): void;
  /** The subscribers' counters summed over every engine this agent ever followed. */
  stats(): KvEventSubscriberStats;
}

interface Subscribed {
  readonly key: string;
  readonly sub: KvEventSubscriber;
  readonly removeSource: () => void;
}

const keyOf = (e: EngineEndpoint): string =>
  JSON.stringify([e.kvEvents?.endpoint, e.kvEvents?.replayEndpoint, e.kvEvents?.topic]);

/** Builds the reporter and the subscriber set (nothing runs until `part.run`). */
export function createKvEventsWiring(options: KvEventsWiringOptions): KvEventsWiring {
  const { log } = options;
  const reporter = new KvReporter({
    timers: options.timers,
    log: log.child({ component: 'kv-reporter' }),
    ...(options.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.flushIntervalMs }),
  });
  const subscribed = new Map<string, Subscribed>();
  // Counters of subscribers already stopped, so the per-node totals never go backwards.
  const retired: KvEventSubscriberStats = {
    batches: 0,
    gaps: 0,
    replayedBatches: 0,
    resyncs: 0,
    restartsSeen: 0,
    badMessages: 0,
    skippedEvents: 0,
  };
  const addInto = (to: KvEventSubscriberStats, from: Readonly<KvEventSubscriberStats>): void => {
    for (const k of Object.keys(to) as (keyof KvEventSubscriberStats)[]) to[k] += from[k];
  };

  const stop = (engineId: string): void => {
    const s = subscribed.get(engineId);
    if (s === undefined) return;
    subscribed.delete(engineId);
    addInto(retired, s.sub.stats);
    s.removeSource();
    void s.sub.close();
    reporter.record({ tier: 'gpu', engineId, cleared: true });
  };

  const start = (e: EngineEndpoint): void => {
    const kv = e.kvEvents;
    if (kv === undefined) return;
    const holdings = new EngineKvHoldings({
      maxBlocks: options.maxBlocksPerEngine ?? 1 << 20,
      // vLLM's lora_int_id → the adapter's name, as the agent's own loads numbered them.
      seedForLora: (loraId) => options.loraIds?.seedFor(e.id, loraId),
    });
    const sub = startKvEventSubscriber({
      endpoint: kv.endpoint,
      replayEndpoint: kv.replayEndpoint ?? null,
      topic: kv.topic ?? '',
      holdings,
      log: log.child({ component: 'kv-events', engine: e.id }),
      onChange: (c) =>
        reporter.record({
          tier: 'gpu',
          engineId: e.id,
          ...(c.cleared ? { cleared: true as const } : {}),
          ...(c.removed.length > 0 ? { removed: c.removed } : {}),
          ...(c.stored.length > 0 ? { stored: c.stored } : {}),
        }),
    });
    const removeSource = reporter.addSource({
      tier: 'gpu',
      engineId: e.id,
      holdings: () => holdings.holdings(),
    });
    subscribed.set(e.id, { key: keyOf(e), sub, removeSource });
  };

  const reconcile = (view: ClusterView): void => {
    const wanted = new Map(
      view.endpoints
        .filter((e) => e.node === options.node && e.kvEvents !== undefined)
        .map((e) => [e.id, e]),
    );
    for (const [id, s] of subscribed) {
      const e = wanted.get(id);
      if (e === undefined || keyOf(e) !== s.key) stop(id);
    }
    for (const [id, e] of wanted) if (!subscribed.has(id)) start(e);
  };

  return {
    reporter,
    stats() {
      const sum = { ...retired };
      for (const s of subscribed.values()) addInto(sum, s.sub.stats);
      return sum;
    },
    engineRestarted(engineId) {
      options.loraIds?.engineRestarted(engineId);
      subscribed.get(engineId)?.sub.restarted();
    },
    part: {
      name: 'kv-events',
      async run(signal) {
        const unsubscribe = options.source.onChange(reconcile);
        reconcile(options.source.current());
        await whenAborted(signal);
        unsubscribe();
        const closing = [...subscribed.values()].map((s) => s.sub.close());
        subscribed.clear();
        await Promise.all(closing);
      },
    },
  };
}
