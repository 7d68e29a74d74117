/**
 * Parses the body of one native KV block frame (layout in block-wire-format.ts) into a message,
 * refusing counts that cannot fit, lengths past the body, undefined enum bytes, keys above
 * 2^53 − 1 and bytes left over, each as a Fault the decoder turns into a refusal. Block payloads
 * are handed out as the received views (received-bytes.ts), never copied here.
 */
import { Fault } from './block-wire-fault.js';
import type { Reader } from './block-wire-reader.js';
import { withPayload } from './received-bytes.js';
import {
  GET_STATUSES,
  MAX_TOKEN_BYTES,
  PUT_RESULTS,
  WIRE_ERROR_CODES,
  type BlockOp,
  type BlockReply,
  type BlockRequest,
  type GetReplyEntry,
  type WireBlock,
  type WireErrorCode,
} from './block-wire-format.js';

const ERROR_NAMES = new Map<number, WireErrorCode>(
  Object.entries(WIRE_ERROR_CODES).map(([k, v]) => [v, k as WireErrorCode]),
);

function enumByte<T>(values: readonly T[], byte: number, what: string): T {
  const v = values[byte];
  if (v === undefined) throw new Fault('bad-field', `${what} ${byte} is not defined`);
  return v;
}

function flag(byte: number): boolean {
  if (byte > 1) throw new Fault('bad-field', `flag byte ${byte} is not 0 or 1`);
  return byte === 1;
}

/** A request of `op` from its body. */
export function parseRequest(op: BlockOp, id: number, r: Reader): BlockRequest {
  if (op === 'error') throw new Fault('unknown-op', 'error is a reply op, not a request');
  if (op === 'auth') {
    const flags = r.u8('the auth flags');
    if (flags > 1) throw new Fault('bad-field', `auth flags ${flags} are not defined`);
    const length = r.u16('the token length');
    if (length > MAX_TOKEN_BYTES)
      throw new Fault('bad-field', `token of ${length} bytes exceeds ${MAX_TOKEN_BYTES}`);
    const token = new TextDecoder().decode(r.bytes(length, 'the token'));
    return { op, id, token, peer: flags === 1 };
  }
  if (op === 'get-prefix') {
    const l2WaitMs = r.u32('the L2 wait');
    const keys = Array.from({ length: r.count(8) }, () => r.key());
    return { op, id, l2WaitMs, keys };
  }
  if (op !== 'put') {
    const keys = Array.from({ length: r.count(8) }, () => r.key());
    return { op, id, keys };
  }
  return { op, id, blocks: parseBlocks(r) };
}

/** `count` then (key, length, bytes) per block: a put's body, a get-prefix reply's. */
function parseBlocks(r: Reader): WireBlock[] {
  return Array.from({ length: r.count(12) }, () => {
    const key = r.key();
    return withPayload({ key }, r.parts(r.u32('a block length'), 'a block'));
  });
}

/** A reply of `op` from its body. */
export function parseReply(op: BlockOp, id: number, r: Reader): BlockReply {
  switch (op) {
    case 'put': {
      const results = Array.from({ length: r.count(1) }, () =>
        enumByte(PUT_RESULTS, r.u8('a result'), 'put result'),
      );
      return { op, id, results };
    }
    case 'exists':
    case 'delete':
      return { op, id, flags: Array.from({ length: r.count(1) }, () => flag(r.u8('a flag'))) };
    case 'longest-prefix':
      return { op, id, held: r.u32('the held count') };
    case 'auth':
      return { op, id };
    case 'get-prefix':
      return { op, id, blocks: parseBlocks(r) };
    case 'error': {
      const code = ERROR_NAMES.get(r.u16('the error code'));
      if (code === undefined) throw new Fault('bad-field', 'unknown error code');
      const message = new TextDecoder().decode(r.bytes(r.u16('the message length'), 'the message'));
      return { op, id, code, message };
    }
    case 'get': {
      const blocks = Array.from({ length: r.count(9) }, (): GetReplyEntry => {
        const key = r.key();
        const status = enumByte(GET_STATUSES, r.u8('a get status'), 'get status');
        if (status !== 'hit') return { key, status };
        return withPayload({ key, status }, r.parts(r.u32('a block length'), 'a block'));
      });
      return { op, id, blocks };
    }
  }
}
