import { describe, expect, it } from 'vitest';
import {
  KV_EVENT_START,
  classifyKvEventBatch,
  decodeKvEventBatch,
  encodeKvEventBatch,
  type KvEventPosition,
} from '../../../src/kvcache/index.js';

const MAX_REPLAY = 10_000;

/** A real frame's ts, as the subscriber reads it: encoded by the engine side, then decoded. */
const tsOf = (ts: number): number => {
  const payload = encodeKvEventBatch({
    ts,
    events: [
      {
        type: 'BlockStored',
        blockHashes: [7],
        parentBlockHash: null,
        tokenIds: [1, 2],
        blockSize: 2,
        loraId: null,
        medium: 'GPU',
      },
    ],
  });
  const decoded = decodeKvEventBatch(payload);
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.batch.ts;
};

const at = (seq: number, ts: number): KvEventPosition => ({ seq, ts });

describe('classifyKvEventBatch', () => {
  it('applies the next batch and the first batch of a fresh subscriber', () => {
    expect(classifyKvEventBatch(KV_EVENT_START, 0, tsOf(100), MAX_REPLAY)).toEqual({
      kind: 'next',
    });
    expect(classifyKvEventBatch(at(4, 100), 5, tsOf(101), MAX_REPLAY)).toEqual({ kind: 'next' });
  });

  it('names the missing range of a gap', () => {
    expect(classifyKvEventBatch(at(4, 100), 9, tsOf(105), MAX_REPLAY)).toEqual({
      kind: 'gap',
      from: 5,
      before: 9,
    });
  });

  it('tells a restart by a seq back at 0 with a newer timestamp', () => {
    expect(classifyKvEventBatch(at(41, 100.5), 0, tsOf(230.25), MAX_REPLAY)).toEqual({
      kind: 'restart',
      before: 0,
    });
  });

  it('tells a restart whose first batches were missed (seq back, not to 0, newer ts)', () => {
    expect(classifyKvEventBatch(at(41, 100.5), 3, tsOf(230.25), MAX_REPLAY)).toEqual({
      kind: 'restart',
      before: 3,
    });
    // Even one that has already reached the old seq: same number, newer stamp.
    expect(classifyKvEventBatch(at(41, 100.5), 41, tsOf(230.25), MAX_REPLAY)).toEqual({
      kind: 'restart',
      before: 41,
    });
  });

  it('skips a duplicate: a batch that came through a replay carries its own, older ts', () => {
    expect(classifyKvEventBatch(at(41, 100.5), 40, tsOf(100.25), MAX_REPLAY)).toEqual({
      kind: 'duplicate',
    });
    expect(classifyKvEventBatch(at(41, 100.5), 41, tsOf(100.5), MAX_REPLAY)).toEqual({
      kind: 'duplicate',
    });
  });

  it('still tells a restart past the replay window when the engine’s clock went back', () => {
    expect(classifyKvEventBatch(at(20_000, 500), 2, tsOf(400), MAX_REPLAY)).toEqual({
      kind: 'restart',
      before: 2,
    });
  });

  it('without a timestamp (an undecodable batch) a seq back is a duplicate', () => {
    expect(classifyKvEventBatch(at(41, 100.5), 0, undefined, MAX_REPLAY)).toEqual({
      kind: 'duplicate',
    });
  });
});
