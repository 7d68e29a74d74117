/**
 * Which S3 operation a request is, and on which bucket and key: the read-only subset the engines'
 * clients use. Path style (`/<bucket>/<key>`) is what every client sends to the agent when
 * AWS_ENDPOINT_URL is an IP address (the S3 endpoint rules switch to path style for IP hosts) or
 * when RUNAI_STREAMER_S3_USE_VIRTUAL_ADDRESSING=0; virtual-host style (`<bucket>.<domain>`) is
 * read only when the operator names the domain the engines use (`virtualHostDomain`), because
 * otherwise `a.b.c` could be bucket `a` at `b.c` or the host `a.b.c` itself.
 */
import type { S3Error } from './s3-errors.js';

/** The operations the endpoint serves. */
export type S3Operation =
  | { readonly op: 'get-object' | 'head-object'; readonly bucket: string; readonly key: string }
  | {
      readonly op: 'list-objects-v2' | 'head-bucket' | 'get-bucket-location';
      readonly bucket: string;
    };

/** An S3 operation name as a bounded metric label. */
export type S3OperationName = S3Operation['op'] | 'other';

export interface ParsedS3Request {
  readonly operation: S3Operation;
  /** The raw path without the query, as received (SigV4 signs it so). */
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly query: URLSearchParams;
}

/** `/bucket/key` for error bodies and logs. */
export function resourceOf(operation: S3Operation): string {
  return 'key' in operation ? `/${operation.bucket}/${operation.key}` : `/${operation.bucket}`;
}

function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const at = host.lastIndexOf(':');
  return at < 0 ? host : host.slice(0, at);
}

function decodePath(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Reads method, Host header and request target. An S3 error for what the endpoint does not
 * serve: writes and other methods (MethodNotAllowed), ListBuckets and other sub-resources
 * (NotImplemented), a malformed target (InvalidRequest).
 */
export function parseS3Request(
  method: string,
  host: string,
  target: string,
  virtualHostDomain: string,
):
  | { readonly ok: true; readonly request: ParsedS3Request }
  | { readonly ok: false; readonly error: S3Error } {
  const fail = (code: S3Error['code'], message: string) =>
    ({ ok: false, error: { code, message } }) as const;
  const at = target.indexOf('?');
  const rawPath = at < 0 ? target : target.slice(0, at);
  const rawQuery = at < 0 ? '' : target.slice(at + 1);
  if (!rawPath.startsWith('/')) return fail('InvalidRequest', 'the request target must be a path');
  const path = decodePath(rawPath);
  if (path === undefined) return fail('InvalidRequest', 'the path is not valid percent-encoding');
  if (method !== 'GET' && method !== 'HEAD')
    return fail('MethodNotAllowed', `${method} is not allowed: this endpoint only serves reads`);
  const query = new URLSearchParams(rawQuery);
  const domain = virtualHostDomain.toLowerCase();
  const bareHost = hostWithoutPort(host).toLowerCase();
  let bucket: string;
  let key: string;
  if (domain !== '' && bareHost.endsWith(`.${domain}`)) {
    bucket = bareHost.slice(0, -domain.length - 1);
    key = path.slice(1);
  } else {
    const slash = path.indexOf('/', 1);
    bucket = slash < 0 ? path.slice(1) : path.slice(1, slash);
    key = slash < 0 ? '' : path.slice(slash + 1);
  }
  if (bucket === '') return fail('NotImplemented', 'ListBuckets is not served by this endpoint');
  const parsed = (operation: S3Operation) =>
    ({ ok: true, request: { operation, rawPath, rawQuery, query } }) as const;
  if (key !== '') {
    return parsed({ op: method === 'GET' ? 'get-object' : 'head-object', bucket, key });
  }
  if (method === 'HEAD') return parsed({ op: 'head-bucket', bucket });
  if (query.has('location')) return parsed({ op: 'get-bucket-location', bucket });
  if (query.get('list-type') === '2') return parsed({ op: 'list-objects-v2', bucket });
  return fail(
    'NotImplemented',
    'only ListObjectsV2 (list-type=2) and GetBucketLocation are served on a bucket',
  );
}
