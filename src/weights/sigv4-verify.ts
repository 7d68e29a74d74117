/**
 * AWS Signature Version 4 verification for the read-through S3 endpoint, header and query
 * (presigned) forms. The engines sign with the access key and secret the agent gives them as
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: the Run:ai streamer's C++ CRT client and boto3
 * sign in the Authorization header; a presigned URL carries the signature in the query.
 *
 * What is checked, as S3 does: the algorithm; a credential scope of `<date>/<region>/s3/
 * aws4_request` whose date is the request's; a known access key; `host` among the signed
 * headers; the payload hash (only `UNSIGNED-PAYLOAD` or the empty body's hash: this endpoint
 * only reads, so a request never has a body to hash); the request time within 15 minutes of
 * ours (header form) or inside its X-Amz-Expires window (query form, at most 7 days); and the
 * signature itself, compared in constant time.
 *
 * Any region is accepted: the agent is one node-local endpoint, and the engines' AWS_REGION is
 * whatever their image sets. The canonical URI is the path exactly as received (S3 does not
 * normalise or double-encode it); if that does not match, the path decoded and re-encoded by
 * the SigV4 rules is tried too, for a client that escaped fewer characters than SigV4 does.
 * The canonical forms are sigv4-canonical.ts.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  canonicalHeaderValue,
  canonicalPaths,
  canonicalQuery,
  parseAmzDate,
  queryPairs,
  signingKey,
} from './sigv4-canonical.js';
import type { S3Error } from './s3-errors.js';

/** The hash of an empty payload, which clients sign for a GET or HEAD without a body. */
export const EMPTY_PAYLOAD_SHA256 =
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const ALGORITHM = 'AWS4-HMAC-SHA256';
/** S3's bound on the gap between a signed request's time and the server's. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;
/** S3's longest presigned URL lifetime. */
const MAX_PRESIGNED_EXPIRES_S = 7 * 24 * 3600;

/** What the verifier reads of a request. Header names lower case; repeated headers as lists. */
export interface SigV4Request {
  readonly method: string;
  /** The path as received, still percent-encoded, without the query. */
  readonly rawPath: string;
  /** The query as received, without `?`. */
  readonly rawQuery: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** The outcome: signed by a known key, carrying no signature at all, or refused. */
export type SigV4Result =
  | { readonly kind: 'signed'; readonly accessKeyId: string }
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'refused'; readonly error: S3Error };

/** The secret of `accessKeyId`, or undefined for an unknown key. */
export type SecretLookup = (accessKeyId: string) => string | undefined;

interface AuthFields {
  readonly credential: string;
  readonly signedHeaders: string;
  readonly signature: string;
  readonly amzDate: string;
  readonly payloadHash: string;
  readonly presigned: boolean;
  readonly expiresS?: number;
}

const refuse = (code: S3Error['code'], message: string): SigV4Result => ({
  kind: 'refused',
  error: { code, message },
});

function header(request: SigV4Request, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : value?.join(',');
}

function readAuthFields(request: SigV4Request): AuthFields | 'none' | SigV4Result {
  const authorization = header(request, 'authorization');
  const query = new Map(queryPairs(request.rawQuery));
  if (authorization !== undefined) {
    if (!authorization.startsWith(`${ALGORITHM} `))
      return refuse('AuthorizationHeaderMalformed', `only ${ALGORITHM} is supported`);
    const fields = new Map<string, string>();
    for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
      const at = part.indexOf('=');
      if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
    }
    const credential = fields.get('Credential');
    const signedHeaders = fields.get('SignedHeaders');
    const signature = fields.get('Signature');
    const amzDate = header(request, 'x-amz-date');
    if (credential === undefined || signedHeaders === undefined || signature === undefined)
      return refuse(
        'AuthorizationHeaderMalformed',
        'Credential, SignedHeaders and Signature are required',
      );
    if (amzDate === undefined)
      return refuse('AccessDenied', 'AWS authentication requires a valid x-amz-date header');
    const payloadHash = header(request, 'x-amz-content-sha256') ?? EMPTY_PAYLOAD_SHA256;
    return { credential, signedHeaders, signature, amzDate, payloadHash, presigned: false };
  }
  if (!query.has('X-Amz-Signature') && !query.has('X-Amz-Algorithm')) return 'none';
  const get = (name: string): string => query.get(name) ?? '';
  if (get('X-Amz-Algorithm') !== ALGORITHM)
    return refuse('AuthorizationQueryParametersError', `X-Amz-Algorithm must be ${ALGORITHM}`);
  const expiresS = Number(get('X-Amz-Expires'));
  if (!Number.isInteger(expiresS) || expiresS < 1 || expiresS > MAX_PRESIGNED_EXPIRES_S)
    return refuse('AuthorizationQueryParametersError', 'X-Amz-Expires must be 1 to 604800 seconds');
  for (const name of ['X-Amz-Credential', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Date'])
    if (get(name) === '') return refuse('AuthorizationQueryParametersError', `${name} is required`);
  return {
    credential: get('X-Amz-Credential'),
    signedHeaders: get('X-Amz-SignedHeaders'),
    signature: get('X-Amz-Signature'),
    amzDate: get('X-Amz-Date'),
    payloadHash: header(request, 'x-amz-content-sha256') ?? UNSIGNED_PAYLOAD,
    presigned: true,
    expiresS,
  };
}

/**
 * Verifies the request's SigV4 signature at `nowMs`. `anonymous` when it carries none (the
 * caller decides whether that is allowed); `refused` with the S3 error to answer otherwise.
 */
export function verifySigV4(
  request: SigV4Request,
  secretOf: SecretLookup,
  nowMs: number,
): SigV4Result {
  const fields = readAuthFields(request);
  if (fields === 'none') return { kind: 'anonymous' };
  if ('kind' in fields) return fields;
  const malformed = fields.presigned
    ? 'AuthorizationQueryParametersError'
    : 'AuthorizationHeaderMalformed';
  const scope = fields.credential.split('/');
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = scope;
  if (scope.length !== 5 || service !== 's3' || terminator !== 'aws4_request' || region === '')
    return refuse(malformed, 'the credential must be <key>/<date>/<region>/s3/aws4_request');
  const signedAtMs = parseAmzDate(fields.amzDate);
  if (signedAtMs === undefined)
    return refuse('AccessDenied', 'X-Amz-Date is not a valid ISO 8601 basic date');
  if (date !== fields.amzDate.slice(0, 8))
    return refuse(malformed, 'the credential date does not match X-Amz-Date');
  const secret = secretOf(accessKeyId);
  if (secret === undefined)
    return refuse(
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  if (fields.presigned) {
    if (nowMs > signedAtMs + (fields.expiresS ?? 0) * 1000)
      return refuse('AccessDenied', 'Request has expired');
    if (signedAtMs > nowMs + MAX_CLOCK_SKEW_MS)
      return refuse('AccessDenied', 'Request is not valid yet');
  } else if (Math.abs(nowMs - signedAtMs) > MAX_CLOCK_SKEW_MS) {
    return refuse(
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
    );
  }
  if (fields.payloadHash !== UNSIGNED_PAYLOAD && fields.payloadHash !== EMPTY_PAYLOAD_SHA256)
    return refuse(
      'XAmzContentSHA256Mismatch',
      'a read carries no body: sign UNSIGNED-PAYLOAD or the empty hash',
    );
  const signedNames = fields.signedHeaders.split(';');
  if (!signedNames.includes('host') || signedNames.some((name) => name !== name.toLowerCase()))
    return refuse(malformed, 'SignedHeaders must be lower case and include host');
  const headerBlock = signedNames
    .map((name) => `${name}:${canonicalHeaderValue(request.headers, name)}\n`)
    .join('');
  const query = canonicalQuery(request.rawQuery, fields.presigned);
  const key = signingKey(secret, date, region, service);
  const expected = Buffer.from(fields.signature, 'utf8');
  for (const path of canonicalPaths(request.rawPath)) {
    const canonical = [
      request.method,
      path,
      query,
      headerBlock,
      fields.signedHeaders,
      fields.payloadHash,
    ].join('\n');
    const toSign = [
      ALGORITHM,
      fields.amzDate,
      scope.slice(1).join('/'),
      createHash('sha256').update(canonical, 'utf8').digest('hex'),
    ].join('\n');
    const actual = Buffer.from(
      createHmac('sha256', key).update(toSign, 'utf8').digest('hex'),
      'utf8',
    );
    if (actual.length === expected.length && timingSafeEqual(actual, expected))
      return { kind: 'signed', accessKeyId };
  }
  return refuse(
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided.',
  );
}
