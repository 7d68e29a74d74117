/**
 * The native KV frame decoders of each side (the decoding itself is block-wire-copy-decoder.ts,
 * the layout block-wire-format.ts): the service accepts requests, a client replies. Bytes go
 * in at whatever boundaries the TCP stream gives; whole messages come out.
 */
import {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_KEYS_PER_FRAME,
  type BlockReply,
  type BlockRequest,
  type PutResult,
} from './block-wire-format.js';
import { CopyingFrameDecoder } from './block-wire-copy-decoder.js';
import type { DecoderOptions } from './block-wire-header.js';
import { parseReply, parseRequest } from './block-wire-parse.js';
import type { PutSink } from './put-stream.js';
import { ReceivePool } from './receive-pool.js';

export type { FrameFault } from './block-wire-fault.js';
export type { DecodeResult, DecoderOptions, MessageDecoder } from './block-wire-header.js';

/**
 * A decoder for the service side: accepts request frames only. The service gives a put's
 * segments back to `pool` once the store has copied its blocks; with `puts`, a put the sink
 * accepts is stored as it arrives instead (put-stream.ts) and comes out with `stored` set.
 */
export function createRequestDecoder(
  options: DecoderOptions = {},
  pool = new ReceivePool({ maxPooledBytes: 0 }),
  puts?: PutSink,
): CopyingFrameDecoder<BlockRequest> {
  const streamed =
    puts === undefined
      ? undefined
      : {
          sink: puts,
          message: (id: number, stored: PutResult[]): BlockRequest => ({
            op: 'put',
            id,
            blocks: [],
            stored,
          }),
        };
  return new CopyingFrameDecoder<BlockRequest>(0, parseRequest, bounds(options), pool, streamed);
}

/**
 * A decoder for the client side: accepts reply frames only. The caller may reuse the buffer it
 * pushes; a client gives a reply's segments back to `pool` once it has copied the blocks on.
 */
export function createReplyDecoder(
  options: DecoderOptions = {},
  pool = new ReceivePool({ maxPooledBytes: 0 }),
): CopyingFrameDecoder<BlockReply> {
  return new CopyingFrameDecoder<BlockReply>(1, parseReply, bounds(options), pool);
}

function bounds(options: DecoderOptions): { maxFrameBytes: number; maxKeysPerFrame: number } {
  return {
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    maxKeysPerFrame: options.maxKeysPerFrame ?? DEFAULT_MAX_KEYS_PER_FRAME,
  };
}
