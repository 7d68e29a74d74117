/**
 * Part planning: a file is fetched as fixed-size parts (the last one short), each one ranged read.
 * Part `i` covers [i × partBytes, min((i + 1) × partBytes, size)); a zero-byte file has no parts.
 */
import type { ByteRange } from './artifact.js';

function checkPlan(size: number, partBytes: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad file size ${size}`);
  if (!Number.isSafeInteger(partBytes) || partBytes <= 0)
    throw new RangeError(`bad part size ${partBytes}`);
}

/** How many parts a file of `size` bytes has. */
export function partCount(size: number, partBytes: number): number {
  checkPlan(size, partBytes);
  return Math.ceil(size / partBytes);
}

/** The byte range of part `index`. */
export function partRange(size: number, partBytes: number, index: number): ByteRange {
  const count = partCount(size, partBytes);
  if (!Number.isInteger(index) || index < 0 || index >= count)
    throw new RangeError(`part ${index} outside 0..${count - 1}`);
  const start = index * partBytes;
  return { start, end: Math.min(start + partBytes, size) };
}

/** Every part of a file, in order. */
export function planParts(size: number, partBytes: number): ByteRange[] {
  const parts: ByteRange[] = [];
  for (let i = 0; i < partCount(size, partBytes); i++) parts.push(partRange(size, partBytes, i));
  return parts;
}

/**
 * The parts that hold any byte of `range` (clipped to the file), as [first, last] inclusive;
 * undefined for an empty range.
 */
export function partsCovering(
  size: number,
  partBytes: number,
  range: ByteRange,
): { readonly first: number; readonly last: number } | undefined {
  checkPlan(size, partBytes);
  const start = Math.max(0, range.start);
  const end = Math.min(size, range.end);
  if (end <= start) return undefined;
  return { first: Math.floor(start / partBytes), last: Math.floor((end - 1) / partBytes) };
}
