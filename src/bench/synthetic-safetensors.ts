/**
 * Synthetic safetensors shards for the weight bench (the bytes: src/weights/synthetic-safetensors.ts),
 * written 4 MiB at a time: a 2 GiB model never sits in memory.
 */
import { open } from 'node:fs/promises';
import { fillSyntheticBytes, syntheticSafetensorsHeader } from '../weights/index.js';

const CHUNK_BYTES = 4 * 1024 * 1024;

/** Writes a valid synthetic shard of exactly `totalBytes` at `path`. */
export async function writeSyntheticSafetensors(
  path: string,
  totalBytes: number,
  seed: number,
): Promise<void> {
  const header = syntheticSafetensorsHeader(totalBytes);
  const file = await open(path, 'w');
  try {
    await file.write(header, 0, header.length, 0);
    // 4-byte aligned chunks keep the Uint32Array view of the buffer valid.
    const chunk = Buffer.alloc(CHUNK_BYTES);
    let state = seed;
    for (let offset = header.length; offset < totalBytes;) {
      const part = chunk.subarray(0, Math.min(CHUNK_BYTES, totalBytes - offset));
      state = fillSyntheticBytes(part, state);
      await file.write(part, 0, part.length, offset);
      offset += part.length;
    }
  } finally {
    await file.close();
  }
}
