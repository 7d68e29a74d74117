/**
 * The native KV frame decoder's interface (block-wire-copy-decoder.ts implements it): the result
 * of a push, the bounds, and the check of a 16-byte frame header (layout in block-wire-format.ts), which refuses a wrong magic, op,
 * kind or reserved field and a body past the frame bound before any of the body is held.
 */
import { FRAME_HEADER_BYTES, FRAME_MAGIC, OP_CODES, type BlockOp } from './block-wire-format.js';
import { Fault, type FrameFault } from './block-wire-fault.js';

/** What one push produced: the messages completed, and the refusal if the stream went bad. */
export type DecodeResult<M> =
  | { readonly ok: true; readonly messages: M[] }
  | {
      readonly ok: false;
      readonly messages: M[];
      readonly fault: FrameFault;
      readonly reason: string;
    };

/** Decoder bounds; the side decides which kind of frame it accepts. */
export interface DecoderOptions {
  readonly maxFrameBytes?: number;
  readonly maxKeysPerFrame?: number;
}

/** A stream decoder of one side's frames (bytes in at any boundaries, whole messages out). */
export interface MessageDecoder<M> {
  /** Feeds one chunk of the stream. */
  push(chunk: Uint8Array): DecodeResult<M>;
  /** Bytes held for a frame not yet complete (≤ one frame). */
  readonly bufferedBytes: number;
  /** Where the next socket read should land (block-wire-copy-decoder.ts). */
  readTarget(): Uint8Array;
  /** Frees what a frame cut off mid-way holds (its connection closed). */
  dispose(): void;
}

/** A checked frame header. */
export interface FrameHeader {
  readonly op: BlockOp;
  readonly id: number;
  /** Body bytes that follow the header. */
  readonly body: number;
}

const OPS = new Map<number, BlockOp>(Object.entries(OP_CODES).map(([k, v]) => [v, k as BlockOp]));

/** Checks the header in `h` (FRAME_HEADER_BYTES long) for a side accepting `kind`; throws Fault. */
export function readFrameHeader(h: Uint8Array, kind: 0 | 1, maxFrameBytes: number): FrameHeader {
  for (let i = 0; i < FRAME_MAGIC.length; i++)
    if (h[i] !== FRAME_MAGIC[i])
      throw new Fault('bad-magic', 'not a native KV block frame (bad magic or version)');
  const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const body = view.getUint32(4, true);
  if (FRAME_HEADER_BYTES + body > maxFrameBytes)
    throw new Fault(
      'frame-too-large',
      `frame of ${FRAME_HEADER_BYTES + body} bytes exceeds the ${maxFrameBytes}-byte bound`,
    );
  const op = OPS.get(view.getUint8(8));
  if (op === undefined) throw new Fault('unknown-op', `unknown op ${view.getUint8(8)}`);
  const got = view.getUint8(9);
  if (got !== kind)
    throw new Fault(
      'bad-kind',
      got > 1
        ? `frame kind ${got} is not defined`
        : `a ${got === 0 ? 'request' : 'reply'} where a ${kind === 0 ? 'request' : 'reply'} was expected`,
    );
  if (view.getUint16(10, true) !== 0)
    throw new Fault('bad-reserved', 'reserved header field is not 0');
  return { op, id: view.getUint32(12, true), body };
}
