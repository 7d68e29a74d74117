/**
 * What a GetObject or HeadObject answers for one object: status, the byte range to send and the
 * headers, from the request's Range, partNumber and conditional headers. HEAD answers exactly
 * what GET would, minus the body: the CRT client sends its HeadObject *with* the caller's Range
 * to learn the object's size from Content-Range, then GETs the range's parts with If-Match set
 * to the ETag it saw (boto3's s3transfer does the same with IfMatch), so If-Match is honoured.
 *
 * Not served: If-Modified-Since / If-Unmodified-Since (no engine client sends them; a cached
 * file's ETag says more than its time), response-* overrides, versions, and partNumber above 1
 * (a cached file is one part; part 1 is the whole object, as S3 answers for a single-part one).
 */
import type { ObjectSummary } from './artifact-pull.js';
import type { ByteRange } from './artifact.js';
import type { S3Error } from './s3-errors.js';
import { contentRange, parseRangeHeader, unsatisfiedContentRange } from './s3-range.js';
import { quoteEtag } from './s3-xml.js';

/** The request headers and query that shape the answer. */
export interface ObjectAnswerInput {
  readonly range?: string;
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  /** The `partNumber` query parameter, when present. */
  readonly partNumber?: string;
}

/** A decided answer: status, headers, and the bytes to send (`range`, empty for 304). */
export type ObjectAnswer =
  | {
      readonly kind: 'body';
      readonly status: 200 | 206 | 304;
      readonly range: ByteRange;
      readonly headers: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'error';
      readonly error: S3Error;
      readonly headers: Readonly<Record<string, string>>;
    };

/** True when an If-Match / If-None-Match list names `etag` (or is `*`). */
function listMatches(list: string, etag: string): boolean {
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return list.split(',').some((tag) => bare(tag) === '*' || bare(tag) === bare(etag));
}

/** Decides the answer to a GET or HEAD of `object` (the same for both). */
export function planObjectAnswer(object: ObjectSummary, input: ObjectAnswerInput): ObjectAnswer {
  const etag = quoteEtag(object.etag);
  const common: Record<string, string> = {
    etag,
    'last-modified': new Date(object.lastModifiedMs).toUTCString(),
    'accept-ranges': 'bytes',
  };
  if (input.ifMatch !== undefined && !listMatches(input.ifMatch, etag)) {
    return {
      kind: 'error',
      error: {
        code: 'PreconditionFailed',
        message: 'At least one of the pre-conditions you specified did not hold',
        extra: { Condition: 'If-Match' },
      },
      headers: common,
    };
  }
  if (input.ifNoneMatch !== undefined && listMatches(input.ifNoneMatch, etag)) {
    return { kind: 'body', status: 304, range: { start: 0, end: 0 }, headers: common };
  }
  const size = object.size;
  const partial = (range: ByteRange): ObjectAnswer => ({
    kind: 'body',
    status: 206,
    range,
    headers: {
      ...common,
      'content-length': String(range.end - range.start),
      'content-range': contentRange(range, size),
    },
  });
  if (input.partNumber !== undefined) {
    if (input.partNumber !== '1' || size === 0) {
      return {
        kind: 'error',
        error: {
          code: 'InvalidPartNumber',
          message: 'The requested partnumber is not satisfiable',
          extra: { PartNumberRequested: input.partNumber, ActualPartCount: 1 },
        },
        headers: common,
      };
    }
    return partial({ start: 0, end: size });
  }
  const wanted = parseRangeHeader(input.range, size);
  switch (wanted.kind) {
    case 'whole':
      return {
        kind: 'body',
        status: 200,
        range: { start: 0, end: size },
        headers: { ...common, 'content-length': String(size) },
      };
    case 'partial':
      return partial(wanted.range);
    case 'unsatisfiable':
      return {
        kind: 'error',
        error: {
          code: 'InvalidRange',
          message: 'The requested range is not satisfiable',
          extra: { RangeRequested: input.range ?? '', ActualObjectSize: size },
        },
        headers: { ...common, 'content-range': unsatisfiedContentRange(size) },
      };
  }
}
