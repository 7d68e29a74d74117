/**
 * Parses the body of one native KV block frame (layout in block-wire-format.ts) into a message,
 * refusing counts that cannot fit, lengths past the body, undefined enum bytes, keys above
 * 2^53 − 1 and bytes left over, each as a Fault the decoder turns into a refusal.
 */
import type { BlockKey } from './eviction-policy.js';
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

/** Why a stream was refused. */
export type FrameFault =
  | 'bad-magic'
  | 'bad-kind'
  | 'unknown-op'
  | 'bad-reserved'
  | 'frame-too-large'
  | 'too-many-keys'
  | 'bad-key'
  | 'bad-field'
  | 'length-mismatch';

/** A refusal with its reason. */
export class Fault extends Error {
  readonly fault: FrameFault;
  constructor(fault: FrameFault, message: string) {
    super(message);
    this.fault = fault;
  }
}

const ERROR_NAMES = new Map<number, WireErrorCode>(
  Object.entries(WIRE_ERROR_CODES).map(([k, v]) => [v, k as WireErrorCode]),
);

/** Bounds-checked little-endian reads over one frame body. */
export class Reader {
  private readonly view: DataView;
  private readonly body: Uint8Array;
  private readonly maxKeys: number;
  at = 0;
  constructor(body: Uint8Array, maxKeys: number) {
    this.body = body;
    this.maxKeys = maxKeys;
    this.view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  }
  need(n: number, what: string): void {
    if (this.at + n > this.body.length)
      throw new Fault('length-mismatch', `frame body ends inside ${what}`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.at++);
  }
  u16(what: string): number {
    this.need(2, what);
    this.at += 2;
    return this.view.getUint16(this.at - 2, true);
  }
  u32(what: string): number {
    this.need(4, what);
    this.at += 4;
    return this.view.getUint32(this.at - 4, true);
  }
  /** A count whose items take at least `minBytes` each: refused before any array is built. */
  count(minBytes: number): number {
    const n = this.u32('a count');
    if (n > this.maxKeys)
      throw new Fault('too-many-keys', `${n} items exceed the ${this.maxKeys} per frame`);
    if (n * minBytes > this.body.length - this.at)
      throw new Fault(
        'length-mismatch',
        `${n} items cannot fit in the ${this.body.length}-byte body`,
      );
    return n;
  }
  key(): BlockKey {
    const lo = this.u32('a key');
    const hi = this.u32('a key');
    if (hi > 0x1fffff) throw new Fault('bad-key', 'block key above 2^53 - 1');
    return hi * 0x100000000 + lo;
  }
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    this.at += n;
    return this.body.subarray(this.at - n, this.at);
  }
  end(): void {
    if (this.at !== this.body.length)
      throw new Fault(
        'length-mismatch',
        `${this.body.length - this.at} bytes left after the last field`,
      );
  }
}

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
  if (op !== 'put') {
    const keys = Array.from({ length: r.count(8) }, () => r.key());
    return { op, id, keys };
  }
  const blocks: WireBlock[] = Array.from({ length: r.count(12) }, () => {
    const key = r.key();
    return { key, bytes: r.bytes(r.u32('a block length'), 'a block') };
  });
  return { op, id, blocks };
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
        return { key, status, bytes: r.bytes(r.u32('a block length'), 'a block') };
      });
      return { op, id, blocks };
    }
  }
}
