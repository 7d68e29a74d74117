/**
 * Byte ranges on the wire: the `Range` header a source sends and the `Content-Range` it must get
 * back. A ranged read whose answer covers other bytes than asked is refused rather than written
 * at the wrong offset. Pure.
 */
import type { ByteRange } from './artifact.js';

/** `bytes=start-(end-1)` for a non-empty half-open range. */
export function rangeHeader(range: ByteRange): string {
  return `bytes=${range.start}-${range.end - 1}`;
}

/** A parsed `Content-Range: bytes first-last/total` (total undefined for `*`). */
export interface ContentRange {
  readonly start: number;
  /** Exclusive end. */
  readonly end: number;
  readonly total: number | undefined;
}

/** Parses a `Content-Range` header; undefined when absent or malformed. */
export function parseContentRange(header: string | undefined): ContentRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim());
  if (match === null) return undefined;
  const start = Number(match[1]);
  const last = Number(match[2]);
  const total = match[3] === '*' ? undefined : Number(match[3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(last) || last < start) return undefined;
  if (total !== undefined && (!Number.isSafeInteger(total) || last >= total)) return undefined;
  return { start, end: last + 1, total };
}

/**
 * Why a `Content-Range` answer does not match the range asked of a file of `size` bytes, or
 * undefined when it does.
 */
export function contentRangeProblem(
  header: string | undefined,
  asked: ByteRange,
  size: number,
): string | undefined {
  const got = parseContentRange(header);
  if (got === undefined) return `bad Content-Range ${JSON.stringify(header ?? null)}`;
  if (got.start !== asked.start || got.end !== asked.end)
    return `asked bytes ${asked.start}-${asked.end - 1}, got ${got.start}-${got.end - 1}`;
  if (got.total !== undefined && got.total !== size)
    return `the object is ${got.total} bytes, listed as ${size}`;
  return undefined;
}

/** ETags compared as HTTP's weak comparison does: `W/"x"` equals `"x"`. */
export function sameEtag(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const strip = (tag: string): string => tag.trim().replace(/^W\//, '');
  return strip(a) === strip(b);
}
