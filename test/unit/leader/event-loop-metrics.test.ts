import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../src/shared/index.js';
import {
  registerEventLoopDelayMetrics,
  type DelaySampler,
} from '../../../src/leader/event-loop-metrics.js';

/** A sampler holding fixed nanosecond samples, as monitorEventLoopDelay would record them. */
class FakeSampler implements DelaySampler {
  samples: number[] = [];
  resets = 0;
  get count(): number {
    return this.samples.length;
  }
  get max(): number {
    return Math.max(...this.samples);
  }
  percentile(p: number): number {
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  }
  reset(): void {
    this.resets++;
    this.samples = [];
  }
}

const valueOf = async (text: Promise<string>, quantile: string): Promise<number> => {
  const line = (await text)
    .split('\n')
    .find((l) => l.startsWith(`infernode_leader_event_loop_delay_seconds{quantile="${quantile}"}`));
  return Number(line?.split(' ')[1]);
};

describe('infernode_leader_event_loop_delay_seconds', () => {
  it('reports the delay past the sampling period per quantile and starts a new window per scrape', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    const sampler = new FakeSampler();
    registerEventLoopDelayMetrics(registry, { sampler, resolutionMs: 1 });
    // 98 samples at the period (no delay), one 5 ms late, one 30 ms late.
    sampler.samples = [...Array<number>(98).fill(1e6), 6e6, 31e6];
    const first = registry.metrics();
    expect(await valueOf(first, '0.5')).toBe(0);
    expect(await valueOf(first, '0.99')).toBeCloseTo(0.005, 9);
    expect(await valueOf(first, '1')).toBeCloseTo(0.03, 9);
    expect(sampler.resets).toBe(1);
    // Nothing sampled since: the old window's 30 ms must not be reported again.
    expect(await valueOf(registry.metrics(), '1')).toBe(0);
  });

  it('samples the real event loop without a fake', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    registerEventLoopDelayMetrics(registry);
    const text = await registry.metrics();
    expect(text).toContain('infernode_leader_event_loop_delay_seconds{quantile="0.99"}');
  });
});
