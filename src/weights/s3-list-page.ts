/**
 * ListObjectsV2 paging over the node cache's sorted key listing: the query's parameters, the
 * rolling up of keys into CommonPrefixes under a delimiter, MaxKeys, IsTruncated and an opaque
 * continuation token. The engines' clients page with it: the Run:ai streamer's C++ client
 * (`list_files`: prefix, delimiter `/` unless recursive, NextContinuationToken until not
 * truncated) and boto3's paginator (`encoding-type=url` always).
 *
 * The token says where the next page resumes: after a key, or after a whole common prefix (so
 * a prefix returned on one page never comes back on the next). It is base64url JSON, not
 * signed: a client that forges one only moves its own listing.
 */
import type { ObjectSummary } from './artifact-pull.js';
import type { S3Error } from './s3-errors.js';

/** S3's ceiling on MaxKeys; larger values are served as this. */
export const MAX_LIST_KEYS = 1000;
const MAX_TOKEN_CHARS = 4096;

/** A ListObjectsV2 request, validated. */
export interface ListRequest {
  readonly prefix: string;
  readonly delimiter: string;
  readonly maxKeys: number;
  readonly startAfter: string;
  /** As the client sent it (echoed back); empty when none. */
  readonly continuationToken: string;
  readonly urlEncoded: boolean;
  /** Where this page starts. */
  readonly resume: ListResume;
}

/** Resume after `after`, skipping keys under `skipPrefix` (a common prefix already returned). */
export interface ListResume {
  readonly after: string;
  readonly skipPrefix: string;
}

/** Encodes a resume point as an opaque continuation token. */
export function encodeContinuationToken(resume: ListResume): string {
  return Buffer.from(JSON.stringify({ a: resume.after, p: resume.skipPrefix })).toString(
    'base64url',
  );
}

/** Decodes a continuation token; undefined when it is not one of ours. */
export function decodeContinuationToken(token: string): ListResume | undefined {
  if (token.length > MAX_TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (value === null || typeof value !== 'object') return undefined;
    const { a, p } = value as { a?: unknown; p?: unknown };
    if (typeof a !== 'string' || typeof p !== 'string') return undefined;
    return { after: a, skipPrefix: p };
  } catch {
    return undefined;
  }
}

/** Reads the ListObjectsV2 query parameters; an S3 InvalidArgument error when one is wrong. */
export function parseListQuery(
  query: URLSearchParams,
):
  | { readonly ok: true; readonly request: ListRequest }
  | { readonly ok: false; readonly error: S3Error } {
  const invalid = (message: string, name: string, value: string) =>
    ({
      ok: false,
      error: {
        code: 'InvalidArgument',
        message,
        extra: { ArgumentName: name, ArgumentValue: value },
      },
    }) as const;
  const maxKeysText = query.get('max-keys');
  let maxKeys = MAX_LIST_KEYS;
  if (maxKeysText !== null) {
    if (!/^\d{1,10}$/.test(maxKeysText))
      return invalid(
        'Provided max-keys not an integer or within integer range',
        'max-keys',
        maxKeysText,
      );
    maxKeys = Math.min(Number(maxKeysText), MAX_LIST_KEYS);
  }
  const encoding = query.get('encoding-type');
  if (encoding !== null && encoding !== 'url')
    return invalid('Invalid Encoding Method specified in Request', 'encoding-type', encoding);
  const startAfter = query.get('start-after') ?? '';
  const continuationToken = query.get('continuation-token') ?? '';
  let resume: ListResume = { after: startAfter, skipPrefix: '' };
  if (continuationToken !== '') {
    // With a token, S3 resumes from the token and ignores start-after.
    const decoded = decodeContinuationToken(continuationToken);
    if (decoded === undefined)
      return invalid(
        'The continuation token provided is incorrect',
        'continuation-token',
        continuationToken,
      );
    resume = decoded;
  }
  return {
    ok: true,
    request: {
      prefix: query.get('prefix') ?? '',
      delimiter: query.get('delimiter') ?? '',
      maxKeys,
      startAfter,
      continuationToken,
      urlEncoded: encoding === 'url',
      resume,
    },
  };
}

/** What one page holds once the builder has decided it. */
export interface ListPageResult {
  readonly contents: readonly ObjectSummary[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  readonly nextContinuationToken?: string;
}

/**
 * Cuts one page out of sorted keys fed in batches. Ask the source for keys after `cursor`, feed
 * them to `add` until it returns true (page decided) or the source has no more, then `finish`.
 * It needs one entry past MaxKeys to know the page is truncated, so IsTruncated is never a guess.
 */
export class ListPageBuilder {
  readonly #request: ListRequest;
  readonly #contents: ObjectSummary[] = [];
  readonly #commonPrefixes: string[] = [];
  #cursor: string;
  #skipPrefix: string;
  #lastEmitted: ListResume | undefined;
  #isTruncated = false;
  #isDecided: boolean;

  constructor(request: ListRequest) {
    this.#request = request;
    this.#cursor = request.resume.after;
    this.#skipPrefix = request.resume.skipPrefix;
    this.#isDecided = request.maxKeys === 0;
  }

  /** The key after which the source should list next. */
  get cursor(): string {
    return this.#cursor;
  }

  /** Feeds keys sorted ascending, all after `cursor`. True once the page is decided. */
  add(keys: readonly ObjectSummary[]): boolean {
    const { prefix, delimiter, maxKeys } = this.#request;
    for (const object of keys) {
      if (this.#isDecided) break;
      if (object.key <= this.#cursor) continue;
      this.#cursor = object.key;
      if (!object.key.startsWith(prefix)) continue;
      if (this.#skipPrefix !== '' && object.key.startsWith(this.#skipPrefix)) continue;
      const rest = object.key.slice(prefix.length);
      const at = delimiter === '' ? -1 : rest.indexOf(delimiter);
      const common = at < 0 ? undefined : prefix + rest.slice(0, at + delimiter.length);
      if (this.#contents.length + this.#commonPrefixes.length >= maxKeys) {
        this.#isTruncated = true;
        this.#isDecided = true;
        break;
      }
      if (common === undefined) {
        this.#contents.push(object);
        this.#lastEmitted = { after: object.key, skipPrefix: '' };
        this.#skipPrefix = '';
      } else {
        this.#commonPrefixes.push(common);
        this.#lastEmitted = { after: common, skipPrefix: common };
        this.#skipPrefix = common;
      }
    }
    return this.#isDecided;
  }

  /** The page as decided (call once the source is exhausted or `add` returned true). */
  finish(): ListPageResult {
    const base = {
      contents: this.#contents,
      commonPrefixes: this.#commonPrefixes,
      isTruncated: this.#isTruncated,
    };
    if (!this.#isTruncated || this.#lastEmitted === undefined) return base;
    return { ...base, nextContinuationToken: encodeContinuationToken(this.#lastEmitted) };
  }
}
