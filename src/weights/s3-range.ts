/**
 * The `Range` request header of S3's GetObject/HeadObject, read the way S3 reads it. The engines'
 * clients always ask for one closed range (`bytes=a-b`: the Run:ai streamer's C++ client per
 * chunk, boto3's s3transfer per part); `bytes=a-` and `bytes=-n` are supported as RFC 9110 says.
 *
 * S3's own rules, which differ from a plain HTTP server's and are kept here on purpose:
 * - a header that is not one well-formed `bytes=` range (garbage, several ranges) is ignored and
 *   the whole object is served with 200 (S3 does not support multi-range GETs);
 * - a range that starts at or past the end of the object, a zero-length suffix, or any range on
 *   an empty object is 416 InvalidRange (the CRT client reads `ActualObjectSize` 0 from that
 *   error to recognise an empty file);
 * - an end past the object's end is clamped; a suffix longer than the object is the whole object.
 */
import type { ByteRange } from './artifact.js';

/** What a Range header asks of an object of a known size. */
export type RangeRequest =
  | { readonly kind: 'whole' }
  | { readonly kind: 'partial'; readonly range: ByteRange }
  | { readonly kind: 'unsatisfiable' };

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * Reads `header` against an object of `size` bytes. Never throws: an unreadable header is
 * `whole`, as on S3. A `partial` range is half-open and never empty.
 */
export function parseRangeHeader(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'whole' };
  const match = SINGLE_RANGE.exec(header.trim().replace(/\s+/g, ''));
  if (match === null) return { kind: 'whole' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    // bytes=-n: the last n bytes.
    const suffix = Number(last);
    if (!Number.isSafeInteger(suffix)) return { kind: 'whole' };
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - suffix), end: size } };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start)) return { kind: 'whole' };
  if (last !== '') {
    const end = Number(last);
    // An end before its start makes the header invalid, so it is ignored (RFC 9110 §14.1.1).
    if (!Number.isSafeInteger(end) || end < start) return { kind: 'whole' };
    if (start >= size) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start, end: Math.min(end + 1, size) } };
  }
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start, end: size } };
}

/** The `Content-Range` value for a 206 answer: `bytes a-b/size` (inclusive end). */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end - 1}/${size}`;
}

/** The `Content-Range` value that goes with a 416 answer: `bytes * /size` without the space. */
export function unsatisfiedContentRange(size: number): string {
  return `bytes */${size}`;
}
