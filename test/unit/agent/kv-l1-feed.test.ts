import { describe, expect, it } from 'vitest';
import { L1DeltaFeed, ReportingBlockStore } from '../../../src/agent/kv-l1-feed.js';
import type { KvDeltaSink } from '../../../src/agent/kv-channel.js';

/** A sink that keeps every delta it is given. */
function recordingSink(): { sink: KvDeltaSink; deltas: unknown[] } {
  const deltas: unknown[] = [];
  const sink: KvDeltaSink = {
    record: (delta) => void deltas.push(delta),
    addSource: () => () => undefined,
    storeChanged: () => undefined,
  };
  return { sink, deltas };
}

const flushed = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve));

describe('the L1 store tells the leader what it holds', () => {
  it('reports blocks put whole and blocks stored as they arrived (reserve → commit) alike', async () => {
    const store = new ReportingBlockStore({
      budgetBytes: 1 << 20,
      slotSizes: [4096],
      slabBytes: 1 << 20,
    });
    const { sink, deltas } = recordingSink();
    store.reportTo(new L1DeltaFeed(sink, () => ({}) as never));
    expect(store.put(1, new Uint8Array(100))).toBe('stored');
    const room = store.reserve(2, 100);
    if (typeof room === 'string') throw new Error(`no room: ${room}`);
    await flushed();
    expect(deltas).toEqual([{ tier: 'l1', stored: [1] }]);
    expect(room.commit()).toBe('stored');
    expect(store.put(1, new Uint8Array(100))).toBe('present'); // held already: no news
    store.delete(1);
    await flushed();
    expect(deltas.slice(1)).toEqual([{ tier: 'l1', removed: [1], stored: [2] }]);
  });
});
