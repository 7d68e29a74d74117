/**
 * The minimal safetensors header check a loader does before it reads tensors: an 8-byte
 * little-endian header length, then that many bytes of JSON object. Full validation (every
 * tensor's offsets inside the file) lives in the weights room; the simulator only needs to refuse
 * what vLLM's loader could not open. Pure.
 */
import { AppError } from '../shared/index.js';

/** safetensors' own limit on the header (MAX_HEADER_SIZE in the Rust crate), bytes. */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** Length of the JSON header from the first 8 bytes of a file of `fileSize` bytes. */
export function safetensorsHeaderLength(
  first8: Uint8Array,
  fileSize: number,
  name: string,
): number {
  if (fileSize < 8 || first8.byteLength < 8)
    throw corrupt(name, `file is ${fileSize} bytes, shorter than the 8-byte header length`);
  const view = new DataView(first8.buffer, first8.byteOffset, 8);
  const length = view.getBigUint64(0, true);
  if (length < 2n || length > BigInt(SAFETENSORS_MAX_HEADER_BYTES))
    throw corrupt(name, `header length ${length} is outside 2–${SAFETENSORS_MAX_HEADER_BYTES}`);
  const n = Number(length);
  if (8 + n > fileSize)
    throw corrupt(name, `header of ${n} bytes runs past the end of the ${fileSize}-byte file`);
  return n;
}

/** Parses the JSON header; returns how many tensors it lists (`__metadata__` not counted). */
export function checkSafetensorsHeaderJson(header: Uint8Array, name: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      Buffer.from(header.buffer, header.byteOffset, header.byteLength).toString('utf8'),
    );
  } catch (err) {
    throw corrupt(name, `header is not JSON (${(err as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw corrupt(name, 'header is not a JSON object');
  return Object.keys(parsed).filter((k) => k !== '__metadata__').length;
}

function corrupt(name: string, why: string): AppError {
  return new AppError('WEIGHTS_CORRUPT_SAFETENSORS', `${name}: not a safetensors file: ${why}`, {
    detail: { file: name },
  });
}
