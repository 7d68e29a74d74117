/**
 * The body the gateway sends an engine: the client's bytes, with the pick's KV load hint
 * (kvcache/kv-load-hint.ts) added as `kv_transfer_params` when routing left one for this request
 * and this engine. The hint is spliced in after the body's opening brace rather than the body
 * re-serialized: the bytes the client sent reach the engine unchanged otherwise, at the cost of a
 * copy. A body that carries its own `kv_transfer_params` (a client driving disaggregated prefill
 * itself) is sent as it came: the client's parameters are not ours to merge into.
 */
import { kvHintParams, type KvLoadHint } from '../kvcache/index.js';
import type { ParsedRequest } from './parse-request.js';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const isSpace = (byte: number | undefined): boolean =>
  byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** Index of the first byte at or after `from` that is not JSON whitespace. */
function skipSpace(raw: Buffer, from: number): number {
  let i = from;
  while (i < raw.length && isSpace(raw[i])) i++;
  return i;
}

/**
 * `raw` with the hint added for `engineId`, or `raw` itself when there is none for this request
 * and engine, the API is not a generation, or the client set its own `kv_transfer_params`.
 */
export function bodyWithKvHint(
  raw: Buffer,
  parsed: Pick<ParsedRequest, 'kind' | 'hasKvTransferParams'>,
  hint: KvLoadHint | undefined,
  request: object,
  engineId: string,
): Buffer {
  if (hint?.request !== request || hint.engineId !== engineId) return raw;
  if (parsed.kind === 'embeddings' || parsed.hasKvTransferParams) return raw;
  const open = skipSpace(raw, 0);
  if (raw[open] !== OPEN_BRACE) return raw; // admission parsed an object; be safe anyway
  const empty = raw[skipSpace(raw, open + 1)] === CLOSE_BRACE;
  const field = `"kv_transfer_params":${JSON.stringify(kvHintParams(hint.absent))}${empty ? '' : ','}`;
  return Buffer.concat([raw.subarray(0, open + 1), Buffer.from(field), raw.subarray(open + 1)]);
}
