/**
 * Tolerant decoding of vLLM KV event payloads (kv-event-format.ts). Engines differ by version:
 * v0.10–v0.11 send array_like `[ts, events, dp_rank?]` with 7-element BlockStored and 3-element
 * BlockRemoved; older builds send 6 and 2 elements (no `medium`); later ones append fields
 * (lora_name, extra_keys, group_idx…) or use named maps. So events are read by position, missing
 * trailing fields are null, extra ones ignored, maps read by vLLM's field names, and an event
 * that is malformed or of an unknown type is skipped and counted, never fatal to the batch.
 * Payloads come from a peer process: every size is bounded before it is trusted.
 */
import { decode } from '@msgpack/msgpack';
import type {
  BlockStoredEvent,
  EngineBlockHash,
  KvCacheEvent,
  KvEventBatch,
} from './kv-event-format.js';

/** Bounds on one decoded payload. */
export const KV_EVENT_LIMITS = {
  /** Payload bytes (a step of 8192 prefill tokens is ≈ 50 KiB). */
  maxPayloadBytes: 16 * 1024 * 1024,
  /** Elements of any one msgpack array (events, hashes, token ids). */
  maxArrayLength: 1 << 20,
  /** Tokens per block (vLLM's largest block size is 256). */
  maxBlockSize: 4096,
  /** Bytes of one hash given as bytes (sha256 is 32). */
  maxHashBytes: 64,
} as const;

/** A decoded payload: the batch, and how many events were skipped as malformed or unknown. */
export type KvEventDecodeResult =
  | { readonly ok: true; readonly batch: KvEventBatch; readonly skippedEvents: number }
  | { readonly ok: false; readonly reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

function asHash(v: unknown): EngineBlockHash | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  // int64 on the wire decodes as bigint; within 2^53 it is an ordinary number (one key either way).
  if (typeof v === 'bigint')
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(v)
      : v;
  if (v instanceof Uint8Array)
    return v.byteLength > 0 && v.byteLength <= KV_EVENT_LIMITS.maxHashBytes ? v : undefined;
  return undefined;
}

function asHashes(v: unknown): EngineBlockHash[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: EngineBlockHash[] = [];
  for (const item of v) {
    const hash = asHash(item);
    if (hash === undefined) return undefined;
    out.push(hash);
  }
  return out;
}

function asTokens(v: unknown): number[] | undefined {
  if (!Array.isArray(v)) return undefined;
  for (const t of v)
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > 0xffffffff) return undefined;
  return v as number[];
}

const asMedium = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function blockStored(fields: readonly unknown[]): BlockStoredEvent | undefined {
  const [hashesRaw, parentRaw, tokensRaw, blockSize, loraRaw, mediumRaw] = fields;
  const blockHashes = asHashes(hashesRaw);
  const parentBlockHash = parentRaw === null || parentRaw === undefined ? null : asHash(parentRaw);
  const tokenIds = asTokens(tokensRaw);
  if (blockHashes === undefined || parentBlockHash === undefined || tokenIds === undefined)
    return undefined;
  if (
    typeof blockSize !== 'number' ||
    !Number.isInteger(blockSize) ||
    blockSize < 1 ||
    blockSize > KV_EVENT_LIMITS.maxBlockSize
  )
    return undefined;
  // Tokens cover exactly the listed blocks; anything else cannot be hashed block by block.
  if (tokenIds.length !== blockHashes.length * blockSize) return undefined;
  let loraId: number | null = null;
  if (typeof loraRaw === 'number' && Number.isInteger(loraRaw) && loraRaw > 0) loraId = loraRaw;
  else if (loraRaw !== null && loraRaw !== undefined && loraRaw !== 0) return undefined;
  return {
    type: 'BlockStored',
    blockHashes,
    parentBlockHash,
    tokenIds,
    blockSize,
    loraId,
    medium: asMedium(mediumRaw),
  };
}

const STORED_FIELDS = [
  'block_hashes',
  'parent_block_hash',
  'token_ids',
  'block_size',
  'lora_id',
  'medium',
];

/** One event, or undefined when it is malformed or of a type this decoder does not know. */
function decodeEvent(raw: unknown): KvCacheEvent | undefined {
  let tag: unknown;
  let fields: readonly unknown[];
  if (Array.isArray(raw)) {
    tag = raw[0];
    fields = raw.slice(1);
  } else if (isRecord(raw)) {
    tag = raw.type;
    fields = STORED_FIELDS.map((name) => raw[name]);
    if (tag === 'BlockRemoved') fields = [raw.block_hashes, raw.medium];
  } else return undefined;
  switch (tag) {
    case 'BlockStored':
      return blockStored(fields);
    case 'BlockRemoved': {
      const blockHashes = asHashes(fields[0]);
      return blockHashes === undefined
        ? undefined
        : { type: 'BlockRemoved', blockHashes, medium: asMedium(fields[1]) };
    }
    case 'AllBlocksCleared':
      return { type: 'AllBlocksCleared' };
    default:
      return undefined;
  }
}

/** Decodes one payload; never throws. */
export function decodeKvEventBatch(payload: Uint8Array): KvEventDecodeResult {
  if (payload.byteLength > KV_EVENT_LIMITS.maxPayloadBytes)
    return { ok: false, reason: `payload of ${payload.byteLength} bytes is over the limit` };
  let root: unknown;
  try {
    root = decode(payload, {
      useBigInt64: true,
      maxArrayLength: KV_EVENT_LIMITS.maxArrayLength,
      maxMapLength: 1024,
      maxStrLength: 4096,
      maxBinLength: 4096,
      maxExtLength: 0,
    });
  } catch (err) {
    // Also catches a RangeError from hostile nesting: the peer's payload, never our crash.
    return { ok: false, reason: `not msgpack: ${(err as Error).message}` };
  }
  let ts: unknown;
  let events: unknown;
  let rank: unknown;
  if (Array.isArray(root)) [ts, events, rank] = root as unknown[];
  else if (isRecord(root)) [ts, events, rank] = [root.ts, root.events, root.data_parallel_rank];
  else return { ok: false, reason: 'payload is not an event batch' };
  if (typeof ts === 'bigint') ts = Number(ts);
  if (typeof ts !== 'number' || !Number.isFinite(ts) || !Array.isArray(events))
    return { ok: false, reason: 'payload is not [ts, events, …]' };
  const decoded: KvCacheEvent[] = [];
  for (const raw of events) {
    const event = decodeEvent(raw);
    if (event !== undefined) decoded.push(event);
  }
  const batch: KvEventBatch =
    typeof rank === 'number' && Number.isInteger(rank)
      ? { ts, events: decoded, dataParallelRank: rank }
      : { ts, events: decoded };
  return { ok: true, batch, skippedEvents: events.length - decoded.length };
}
