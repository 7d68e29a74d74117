/**
 * Synthetic safetensors files for the weights tests and the weight bench: an 8-byte little-endian
 * header length, a JSON header whose U8 tensors' `data_offsets` tile the data exactly, and
 * seeded pseudo-random bytes (so a part written at a wrong offset never matches by accident).
 * Writer only: validating headers is the streamer's job. `corruptSafetensorsHeader` breaks a
 * written file in one chosen way for the validation tests.
 *
 *   const { size, sha256 } = await writeSafetensorsFile(join(dir, 'model.safetensors'), { totalBytes: 64 << 20 });
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { fillSyntheticBytes, syntheticSafetensorsHeader } from '../../src/weights/index.js';

/** Options of {@link writeSafetensorsFile}. */
export interface SafetensorsFileOptions {
  /** Exact size of the file, bytes (header included). At least 1024 (the header alone is a few hundred bytes). */
  readonly totalBytes: number;
  /** Tensors the data is split into. Default 4. */
  readonly tensorCount?: number;
  /** Seed of the data bytes; the same seed and size give the same file. Default 1. */
  readonly seed?: number;
}

/** What was written. */
export interface WrittenSafetensors {
  readonly size: number;
  /** Bytes before the data: 8 + the padded header. */
  readonly dataStart: number;
  /** Hex sha256 of the whole file. */
  readonly sha256: string;
}

/** The header block (length prefix + JSON padded with spaces to 8-byte alignment) for a file size. */
export function safetensorsHeader(totalBytes: number, tensorCount = 4): Buffer {
  return syntheticSafetensorsHeader(totalBytes, tensorCount);
}

/** Writes a valid synthetic safetensors file of exactly `totalBytes`, streaming 4 MiB at a time. */
export async function writeSafetensorsFile(
  path: string,
  options: SafetensorsFileOptions,
): Promise<WrittenSafetensors> {
  const header = safetensorsHeader(options.totalBytes, options.tensorCount ?? 4);
  const hash = createHash('sha256').update(header);
  const file = await open(path, 'w');
  try {
    await file.write(header, 0, header.length, 0);
    let offset = header.length;
    let state = options.seed ?? 1;
    const chunk = Buffer.alloc(4 * 1024 * 1024);
    while (offset < options.totalBytes) {
      const n = Math.min(chunk.length, options.totalBytes - offset);
      const part = chunk.subarray(0, n);
      state = fillSyntheticBytes(part, state);
      hash.update(part);
      await file.write(part, 0, n, offset);
      offset += n;
    }
  } finally {
    await file.close();
  }
  return { size: options.totalBytes, dataStart: header.length, sha256: hash.digest('hex') };
}

/** The same file as a Buffer, for small artifacts served from memory. */
export function safetensorsBytes(options: SafetensorsFileOptions): Buffer {
  const header = safetensorsHeader(options.totalBytes, options.tensorCount ?? 4);
  const out = Buffer.alloc(options.totalBytes);
  header.copy(out);
  fillSyntheticBytes(out.subarray(header.length), options.seed ?? 1);
  return out;
}

/** Ways to break a header: a length past the file's end, JSON that does not parse, a tensor out of the file. */
export type SafetensorsCorruption = 'length-past-end' | 'bad-json' | 'offsets-past-end';

/** Breaks the header of a written file in place (the size stays the same). */
export async function corruptSafetensorsHeader(
  path: string,
  how: SafetensorsCorruption,
): Promise<void> {
  const file = await open(path, 'r+');
  try {
    const prefix = Buffer.alloc(8);
    await file.read(prefix, 0, 8, 0);
    const length = Number(prefix.readBigUInt64LE(0));
    const { size } = await file.stat();
    if (how === 'length-past-end') {
      prefix.writeBigUInt64LE(BigInt(size * 2), 0);
      await file.write(prefix, 0, 8, 0);
      return;
    }
    const json = Buffer.alloc(length);
    await file.read(json, 0, length, 8);
    let text = json.toString('utf8');
    if (how === 'bad-json') text = `{"broken": ${text.slice(12)}`;
    else
      text = text.replace(
        /"data_offsets":\[(\d+),(\d+)\]/,
        (_m, a: string) => `"data_offsets":[${a},${size * 4}]`,
      );
    const out = Buffer.from(text.slice(0, length).padEnd(length, ' '));
    await file.write(out, 0, length, 8);
  } finally {
    await file.close();
  }
}
