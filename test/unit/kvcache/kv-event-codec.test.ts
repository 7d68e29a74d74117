import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import {
  KV_EVENT_LIMITS,
  decodeKvEventBatch,
  decodeKvEventSeq,
  encodeKvEventBatch,
  encodeKvEventSeq,
  engineHashKey,
  type KvEventBatch,
} from '../../../src/kvcache/index.js';

const stored = {
  type: 'BlockStored',
  blockHashes: [11, 12],
  parentBlockHash: null,
  tokenIds: [1, 2, 3, 4],
  blockSize: 2,
  loraId: null,
  medium: 'GPU',
} as const;

function decodeOk(payload: Uint8Array): KvEventBatch {
  const r = decodeKvEventBatch(payload);
  if (!r.ok) throw new Error(r.reason);
  return r.batch;
}

describe('KV event codec', () => {
  it('round-trips a batch of every event type, with and without a dp rank', () => {
    const batch: KvEventBatch = {
      ts: 1732924800.25,
      events: [
        stored,
        { type: 'BlockRemoved', blockHashes: [11], medium: 'GPU' },
        { type: 'AllBlocksCleared' },
        { ...stored, blockHashes: [2 ** 52 - 1], parentBlockHash: 12, tokenIds: [9, 9], loraId: 3 },
      ],
    };
    expect(decodeOk(encodeKvEventBatch(batch))).toEqual(batch);
    const ranked = { ...batch, dataParallelRank: 2 };
    expect(decodeOk(encodeKvEventBatch(ranked))).toEqual(ranked);
  });

  it('encodes vLLM array_like shapes exactly', () => {
    const bytes = encodeKvEventBatch({ ts: 1.5, events: [stored, { type: 'AllBlocksCleared' }] });
    expect(bytes).toEqual(
      encode([
        1.5,
        [['BlockStored', [11, 12], null, [1, 2, 3, 4], 2, null, 'GPU'], ['AllBlocksCleared']],
      ]),
    );
  });

  it('decodes older 6- and 2-element events (no medium) and ignores trailing new fields', () => {
    const payload = encode([
      2.5,
      [
        ['BlockStored', [11], null, [1, 2], 2, null],
        ['BlockRemoved', [11]],
        ['BlockStored', [13], 11, [5, 6], 2, 4, 'GPU', 'my-lora', [], 0],
      ],
    ]);
    const batch = decodeOk(payload);
    expect(batch.events).toEqual([
      { ...stored, blockHashes: [11], tokenIds: [1, 2], medium: null },
      { type: 'BlockRemoved', blockHashes: [11], medium: null },
      { ...stored, blockHashes: [13], parentBlockHash: 11, tokenIds: [5, 6], loraId: 4 },
    ]);
  });

  it('decodes named-map batches and events', () => {
    const payload = encode({
      ts: 3,
      events: [
        { type: 'BlockRemoved', block_hashes: [5], medium: 'GPU' },
        {
          type: 'BlockStored',
          block_hashes: [6],
          parent_block_hash: null,
          token_ids: [7, 8],
          block_size: 2,
        },
      ],
      data_parallel_rank: 1,
    });
    expect(decodeOk(payload)).toEqual({
      ts: 3,
      dataParallelRank: 1,
      events: [
        { type: 'BlockRemoved', blockHashes: [5], medium: 'GPU' },
        { ...stored, blockHashes: [6], tokenIds: [7, 8], medium: null },
      ],
    });
  });

  it('keeps 64-bit int hashes exact (bigint) and bytes hashes as keys', () => {
    const big = 2n ** 63n - 25n;
    const sha = new Uint8Array(32).fill(0xab);
    const payload = encode(
      [0.5, [['BlockStored', [big, sha], -7n, [1, 2, 3, 4], 2, null, 'GPU']]],
      { useBigInt64: true },
    );
    const [event] = decodeOk(payload).events;
    expect(event?.type).toBe('BlockStored');
    if (event?.type !== 'BlockStored') return;
    expect(event.blockHashes.map(engineHashKey)).toEqual([big.toString(), 'x' + 'ab'.repeat(32)]);
    expect(engineHashKey(event.parentBlockHash ?? 0)).toBe('-7');
    // The same int sent small (a number) and wide (a bigint) is one key.
    expect(engineHashKey(5)).toBe(engineHashKey(5n));
  });

  it('skips malformed or unknown events and counts them, keeping the rest', () => {
    const payload = encode([
      1,
      [
        ['BlockStored', [1, 2], null, [1, 2, 3], 2, null, 'GPU'], // tokens do not cover 2 blocks
        ['BlockStored', [1], null, [1, -2], 2, null, 'GPU'], // negative token
        ['BlockStored', [1.5], null, [1, 2], 2, null, 'GPU'], // non-integer hash
        ['BlockStored', [1], null, [1, 2], 0, null, 'GPU'], // block size 0
        ['BlockRemoved', 'nope'],
        ['SomethingNew', 1, 2],
        'garbage',
        ['AllBlocksCleared'],
      ],
    ]);
    const r = decodeKvEventBatch(payload);
    expect(r.ok && r.skippedEvents).toBe(7);
    expect(r.ok && r.batch.events).toEqual([{ type: 'AllBlocksCleared' }]);
  });

  it('refuses hostile payloads with a reason and never throws', () => {
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      new Uint8Array([0xc1]), // never-used msgpack byte
      new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff]), // array32 claiming 4G elements
      encode('hello'),
      encode([1]),
      encode(['ts', []]),
      encode([Number.NaN, []]),
      encode([1, [], 0]).subarray(0, 2), // truncated
      new Uint8Array(KV_EVENT_LIMITS.maxPayloadBytes + 1),
    ];
    // 100k nested arrays: deep recursion in the decoder must not escape as an exception.
    const deep = new Uint8Array(100_000).fill(0x91);
    cases.push(deep);
    for (const payload of cases) {
      const r = decodeKvEventBatch(payload);
      expect(r.ok, `payload ${payload.byteLength} bytes`).toBe(false);
    }
  });

  it('encodes seqs as 8 bytes big-endian, END_SEQ as -1, and rejects other widths', () => {
    expect([...encodeKvEventSeq(258)]).toEqual([0, 0, 0, 0, 0, 0, 1, 2]);
    expect([...encodeKvEventSeq(-1)]).toEqual(new Array(8).fill(255));
    expect(decodeKvEventSeq(encodeKvEventSeq(2 ** 40 + 7))).toBe(2 ** 40 + 7);
    expect(decodeKvEventSeq(encodeKvEventSeq(-1))).toBe(-1);
    expect(decodeKvEventSeq(new Uint8Array(4))).toBeNull();
    expect(decodeKvEventSeq(new Uint8Array(8).fill(0x7f))).toBeNull(); // beyond 2^53
  });
});
