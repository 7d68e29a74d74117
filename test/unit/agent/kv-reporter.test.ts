import { describe, expect, it } from 'vitest';
import { KvReporter, splitKvDelta } from '../../../src/agent/kv-reporter.js';
import type { KvHoldingsSource } from '../../../src/agent/kv-channel.js';
import {
  KV_MESSAGE_LIMITS,
  type KvLookupMessage,
  type KvMessage,
} from '../../../src/protocol/index.js';
import { silentLogger } from '../../../src/shared/index.js';
import { ManualTimers } from '../../helpers/manual-timers.js';

function setup(opts: { maxBufferedHashes?: number; random?: () => number } = {}) {
  const timers = new ManualTimers();
  const reporter = new KvReporter({
    timers,
    log: silentLogger(),
    flushIntervalMs: 100,
    ...(opts.random === undefined ? {} : { random: opts.random }),
    ...(opts.maxBufferedHashes === undefined ? {} : { maxBufferedHashes: opts.maxBufferedHashes }),
  });
  const sent: KvMessage[] = [];
  let accept = true;
  const send = (m: KvMessage | KvLookupMessage): boolean => {
    if (!accept) return false;
    if (m.type === 'kv') sent.push(m);
    return true;
  };
  return {
    timers,
    reporter,
    sent,
    send,
    refuse: (v: boolean) => {
      accept = !v;
    },
  };
}

const engine = (engineId: string, held: number[]): KvHoldingsSource => ({
  tier: 'gpu',
  engineId,
  holdings: () => held,
});

describe('KvReporter', () => {
  it('keeps to the leader’s longer pace, the first batch after a new pace at a random phase of it', () => {
    const { reporter, sent, send, timers } = setup({ random: () => 0.25 });
    reporter.addSource(engine('e1', []));
    reporter.welcomed(send);
    const delta = (hash: number) => ({ tier: 'gpu' as const, engineId: 'e1', stored: [hash] });
    reporter.record(delta(1)); // due in 100 ms at our own interval
    reporter.paced(2_000); // the waiting batch waits for its phase instead: 0.25 × 2 s
    timers.advance(499);
    expect(sent).toHaveLength(1); // the reset only
    timers.advance(1);
    expect(sent.at(-1)?.deltas).toEqual([delta(1)]);
    reporter.paced(2_000); // the same pace: no new phase
    reporter.record(delta(2));
    timers.advance(1_999);
    expect(sent).toHaveLength(2);
    timers.advance(1);
    expect(sent.at(-1)?.deltas).toEqual([delta(2)]);
  });

  it('starts each connection with seq 1 and a reset carrying every source, then batches deltas', () => {
    const { reporter, sent, send, timers } = setup();
    reporter.addSource(engine('e1', [1, 2]));
    reporter.addSource({ tier: 'l1', holdings: () => [7] });
    reporter.welcomed(send);
    expect(sent).toEqual([
      {
        v: 1,
        type: 'kv',
        seq: 1,
        reset: true,
        deltas: [
          { tier: 'gpu', engineId: 'e1', stored: [1, 2] },
          { tier: 'l1', stored: [7] },
        ],
      },
    ]);
    reporter.record({ tier: 'gpu', engineId: 'e1', stored: [3] });
    reporter.record({ tier: 'gpu', engineId: 'e1', removed: [1] });
    expect(sent).toHaveLength(1); // held until the interval passes
    timers.advance(100);
    expect(sent[1]).toEqual({
      v: 1,
      type: 'kv',
      seq: 2,
      deltas: [
        { tier: 'gpu', engineId: 'e1', stored: [3] },
        { tier: 'gpu', engineId: 'e1', removed: [1] },
      ],
    });
    // A new connection starts over at seq 1 with a reset.
    reporter.disconnected();
    reporter.record({ tier: 'gpu', engineId: 'e1', stored: [4] });
    expect(reporter.stats.superseded).toBe(1);
    reporter.welcomed(send);
    expect(sent[2]?.seq).toBe(1);
    expect(sent[2]?.reset).toBe(true);
  });

  it('sends at once when a message is full, and splits holdings over the hash limit', () => {
    const { reporter, sent, send } = setup({ maxBufferedHashes: 1 << 20 });
    const big = Array.from({ length: KV_MESSAGE_LIMITS.hashesPerMessage * 2 + 5 }, (_, i) => i);
    reporter.addSource(engine('e1', big));
    reporter.welcomed(send);
    expect(sent.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(sent.map((m) => m.reset)).toEqual([true, undefined, undefined]);
    const all = sent.flatMap((m) => m.deltas.flatMap((d) => d.stored ?? []));
    expect(all).toEqual(big);
    for (const m of sent)
      expect(m.deltas.reduce((n, d) => n + (d.stored?.length ?? 0), 0)).toBeLessThanOrEqual(
        KV_MESSAGE_LIMITS.hashesPerMessage,
      );
    reporter.record({
      tier: 'gpu',
      engineId: 'e1',
      stored: big.slice(0, KV_MESSAGE_LIMITS.hashesPerMessage),
    });
    expect(sent).toHaveLength(4); // full: no wait for the timer
    expect(sent[3]?.seq).toBe(4);
  });

  it('answers kv.resync with a reset and every holding', () => {
    const { reporter, sent, send } = setup();
    reporter.addSource(engine('e1', [5]));
    reporter.welcomed(send);
    reporter.received({ v: 1, type: 'kv.resync', reason: 'gap' });
    expect(sent[1]).toMatchObject({ seq: 2, reset: true, deltas: [{ stored: [5] }] });
  });

  it('drops an overflowing buffer and resets instead, counted', () => {
    const { reporter, sent, send, timers } = setup({ maxBufferedHashes: 4 });
    const held = [1];
    reporter.addSource(engine('e1', held));
    reporter.welcomed(send);
    reporter.record({ tier: 'gpu', engineId: 'e1', stored: [2, 3, 4] });
    held.push(2, 3, 4, 5, 6);
    reporter.record({ tier: 'gpu', engineId: 'e1', stored: [5, 6] });
    expect(reporter.stats.overflows).toBe(1);
    timers.advance(100);
    expect(sent[1]).toMatchObject({
      seq: 2,
      reset: true,
      deltas: [{ stored: [1, 2, 3, 4, 5, 6] }],
    });
  });

  it('turns a refused send into a reset at the next flush, seq unbroken', () => {
    const { reporter, sent, send, timers, refuse } = setup();
    const held = [1];
    reporter.addSource(engine('e1', held));
    reporter.welcomed(send);
    refuse(true);
    reporter.record({ tier: 'gpu', engineId: 'e1', stored: [2] });
    held.push(2);
    timers.advance(100);
    expect(sent).toHaveLength(1);
    expect(reporter.stats.overflows).toBe(1);
    refuse(false);
    timers.advance(100);
    expect(sent[1]).toMatchObject({ seq: 2, reset: true, deltas: [{ stored: [1, 2] }] });
  });

  it('sends the store report with the next message and after each reset', () => {
    const { reporter, sent, send, timers } = setup();
    const store = {
      nativeUrl: 'ikv://127.0.0.1:1',
      budgetBytes: 10,
      usedBytes: 1,
      blocks: 1,
      shared: true,
    };
    reporter.storeChanged(store);
    reporter.welcomed(send);
    expect(sent[0]?.store).toEqual(store);
    reporter.storeChanged({ ...store, usedBytes: 2 });
    timers.advance(100);
    expect(sent[1]).toMatchObject({ seq: 2, deltas: [], store: { usedBytes: 2 } });
  });

  it('splits one delta into pieces within a bound, cleared on the first only', () => {
    const pieces = splitKvDelta(
      { tier: 'l1', cleared: true, removed: [1, 2, 3], stored: [4, 5] },
      2,
    );
    expect(pieces).toEqual([
      { tier: 'l1', cleared: true, removed: [1, 2] },
      { tier: 'l1', removed: [3] },
      { tier: 'l1', stored: [4, 5] },
    ]);
  });
});
