/**
 * Synthetic safetensors for benchmarks, tests and the local cluster's demo models: an 8-byte
 * little-endian header length, a JSON header (padded to 8 bytes) whose U8 tensors tile the data
 * exactly, and seeded xorshift bytes, so the streamer's header validation passes. Pure: callers
 * write the bytes where they need them.
 */

function headerJson(dataBytes: number, tensorCount: number): string {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const per = Math.floor(dataBytes / tensorCount);
  for (let i = 0; i < tensorCount; i++) {
    const start = i * per;
    const end = i === tensorCount - 1 ? dataBytes : start + per;
    header[`layers.${i}.weight`] = {
      dtype: 'U8',
      shape: [end - start],
      data_offsets: [start, end],
    };
  }
  return JSON.stringify(header);
}

/** The header block (length prefix + padded JSON) of a shard of exactly `totalBytes`. */
export function syntheticSafetensorsHeader(totalBytes: number, tensorCount = 8): Buffer {
  // The JSON's length depends on the data size only through digit counts: size it once, then pad.
  const padded = Math.ceil((Buffer.byteLength(headerJson(totalBytes, tensorCount)) + 8) / 8) * 8;
  const dataBytes = totalBytes - 8 - padded;
  if (dataBytes < tensorCount) throw new Error(`a shard of ${totalBytes} bytes is too small`);
  const block = Buffer.alloc(8 + padded, ' ');
  block.writeBigUInt64LE(BigInt(padded), 0);
  block.write(headerJson(dataBytes, tensorCount), 8, 'utf8');
  return block;
}

/**
 * Fills `out` with seeded xorshift32 words continuing from `state` (so no part of a model matches
 * another by accident); returns the next state. Keep `out`'s length a multiple of 4 except at the end.
 */
export function fillSyntheticBytes(out: Buffer, state: number): number {
  const words = new Uint32Array(out.buffer, out.byteOffset, out.byteLength >>> 2);
  let x = state >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  out.fill(0x5a, words.length * 4);
  return x >>> 0;
}
