/**
 * The KV reporter's and the engines' KV event subscribers' counters as Prometheus counters on the
 * agent registry (issue #14), read at scrape time. Per node, no engine label: engine ids come
 * and go, and a label per engine would grow without bound.
 */
import { Counter, type Registry } from '../shared/index.js';
import type { KvEventSubscriberStats } from '../kvcache/adapters/index.js';
import type { KvReporterStats } from './kv-reporter.js';
import type { EngineLoraIdsStats } from './engine-lora-ids.js';

/** Registers the counters; `reporter` and `events` are read on each scrape. */
export function registerKvEventsMetrics(
  registry: Registry,
  reporter: Readonly<KvReporterStats>,
  events: () => Readonly<KvEventSubscriberStats>,
  loraIds?: () => Readonly<EngineLoraIdsStats>,
): void {
  const counter = (name: string, help: string, read: () => number): void => {
    let seen = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        // The sources only grow: add what they gained since the last scrape.
        const now = read();
        if (now > seen) this.inc(now - seen);
        seen = Math.max(seen, now);
      },
    });
  };
  counter(
    'infernode_kv_reporter_messages_total',
    'KV messages the agent sent the leader',
    () => reporter.messages,
  );
  counter(
    'infernode_kv_reporter_resets_total',
    'KV reports sent as a full reset of the node’s holdings',
    () => reporter.resets,
  );
  counter(
    'infernode_kv_reporter_superseded_total',
    'KV deltas dropped while the leader was away (the next reset covers them)',
    () => reporter.superseded,
  );
  counter(
    'infernode_kv_reporter_overflows_total',
    'KV delta buffers dropped for a reset (over the bound, or a send refused)',
    () => reporter.overflows,
  );
  counter(
    'infernode_kv_events_received_total',
    'KV event batches received from the node’s engines',
    () => events().batches,
  );
  counter(
    'infernode_kv_events_gaps_total',
    'gaps in an engine’s KV event sequence',
    () => events().gaps,
  );
  counter(
    'infernode_kv_events_replays_total',
    'KV event batches replayed from an engine to fill a gap',
    () => events().replayedBatches,
  );
  counter(
    'infernode_kv_events_resyncs_total',
    'times an engine’s GPU holdings were cleared (gap not filled, restart, bad batch)',
    () => events().resyncs,
  );
  counter(
    'infernode_kv_events_restarts_total',
    'engine restarts told by the KV event batches themselves (seq back, newer timestamp)',
    () => events().restartsSeen,
  );
  counter(
    'infernode_kv_events_bad_messages_total',
    'KV event messages that could not be decoded (dropped)',
    () => events().badMessages,
  );
  counter(
    'infernode_kv_events_untranslatable_total',
    'KV events skipped: of a kind or shape the agent cannot turn into block hashes',
    () => events().skippedEvents,
  );
  if (loraIds === undefined) return;
  counter(
    'infernode_kv_events_unknown_lora_total',
    'BlockStored events of a LoRA id the agent cannot name (blocks dropped, not mixed)',
    () => loraIds().unknownIds,
  );
  counter(
    'infernode_kv_events_lora_counter_lost_total',
    'times the agent lost track of an engine’s LoRA id counter (ids unknown until it restarts)',
    () => loraIds().counterLost,
  );
}
