/** The KV reporter's and subscribers' counters, read at scrape time into per-node counters. */
import { describe, expect, it } from 'vitest';
import { registerKvEventsMetrics } from '../../../src/agent/kv-events-metrics.js';
import type { KvReporterStats } from '../../../src/agent/kv-reporter.js';
import type { KvEventSubscriberStats } from '../../../src/kvcache/adapters/index.js';
import { createRegistry, type Registry } from '../../../src/shared/index.js';

async function value(registry: Registry, name: string): Promise<number | undefined> {
  return (await registry.getSingleMetric(name)?.get())?.values[0]?.value;
}

describe('KV events metrics', () => {
  it('follows the stats as they grow, without engine labels', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    const reporter: KvReporterStats = { messages: 2, resets: 1, superseded: 0, overflows: 0 };
    const events: KvEventSubscriberStats = {
      batches: 10,
      gaps: 1,
      replayedBatches: 3,
      resyncs: 0,
      restartsSeen: 0,
      badMessages: 0,
      skippedEvents: 4,
    };
    registerKvEventsMetrics(registry, reporter, () => events);
    expect(await value(registry, 'infernode_kv_reporter_messages_total')).toBe(2);
    expect(await value(registry, 'infernode_kv_events_received_total')).toBe(10);
    expect(await value(registry, 'infernode_kv_events_replays_total')).toBe(3);
    expect(await value(registry, 'infernode_kv_events_untranslatable_total')).toBe(4);
    reporter.messages = 5;
    reporter.overflows = 1;
    events.batches = 12;
    events.restartsSeen = 1;
    expect(await value(registry, 'infernode_kv_reporter_messages_total')).toBe(5);
    expect(await value(registry, 'infernode_kv_reporter_overflows_total')).toBe(1);
    expect(await value(registry, 'infernode_kv_events_received_total')).toBe(12);
    expect(await value(registry, 'infernode_kv_events_restarts_total')).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain('infernode_kv_events_gaps_total 1');
    expect(text).not.toMatch(/infernode_kv_events_\w+\{/);
  });
});
