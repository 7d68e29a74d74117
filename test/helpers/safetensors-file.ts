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

/** The header block (length prefix + JSON padded with spaces to 8-byte alignment) for a file size. */
export function safetensorsHeader(totalBytes: number, tensorCount = 4): Buffer {
  const first = headerJson(totalBytes, tensorCount);
  const padded = Math.ceil((Buffer.byteLength(first) + 8) / 8) * 8;
  const dataBytes = totalBytes - 8 - padded;
  if (dataBytes < tensorCount) throw new Error(`totalBytes ${totalBytes} is too small`);
  const json = headerJson(dataBytes, tensorCount).padEnd(padded, ' ');
  const block = Buffer.alloc(8 + padded);
  block.writeBigUInt64LE(BigInt(padded), 0);
  block.write(json, 8, 'utf8');
  return block;
}

/** Fills `out` with xorshift32 bytes continuing from `state`; returns the next state. */
function fillRandom(out: Buffer, state: number): number {
  const words = new Uint32Array(out.buffer, out.byteOffset, out.byteLength >>> 2);
  let x = state >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  for (let i = words.length * 4; i < out.length; i++) out[i] = (x = (x * 33 + 7) >>> 0) & 0xff;
  return x >>> 0;
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
      state = fillRandom(part, state);
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
  fillRandom(out.subarray(header.length), options.seed ?? 1);
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
