/**
 * An artifact under an S3 prefix (`s3://bucket/prefix/`), with @aws-sdk/client-s3 against AWS or
 * any S3-compatible store (path-style). Listing is ListObjectsV2, paginated and bounded. Reads are
 * ranged GetObject with `IfMatch` on the listed ETag, so a replaced object answers 412 →
 * WEIGHTS_SOURCE_CHANGED; the answer's ETag and Content-Range are checked as well, because some
 * S3-compatible stores (s3rver among them) ignore IfMatch.
 *
 * The client makes one attempt per call: the streamer retries per part, and SDK retries would
 * hide faults from it and multiply a stall by the attempt count. The SDK (~0.2 s and ~22 MiB to
 * load) is imported with the first client, so a process that never reads S3 never loads it.
 */
import { IncomingMessage } from 'node:http';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type * as S3Sdk from '@aws-sdk/client-s3';

type S3Client = S3Sdk.S3Client;
import { AppError, linkedSignal } from '../../shared/index.js';
import {
  sortedListing,
  type ArtifactFile,
  type ArtifactListing,
  type ArtifactRef,
  type ByteRange,
} from '../artifact.js';
import type { ArtifactSource } from '../artifact-source.js';
import { contentRangeProblem, rangeHeader, sameEtag } from '../http-range.js';
import { assertSafeRelativePath } from '../safe-path.js';
import { emptyBody, responseBody } from './http-body.js';
import { sourceChanged, statusError, transportError } from './source-errors.js';

/** Static credentials, from env or a Kubernetes Secret read by the composition root. */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Where and how to reach S3. */
export interface S3SourceSettings {
  /** Endpoint URL of an S3-compatible store (AWS_ENDPOINT_URL); AWS when absent. */
  readonly endpoint?: string;
  /** Region (AWS_REGION). Default `us-east-1`. */
  readonly region?: string;
  /** Path-style addressing, needed by most S3-compatible stores. Default true with an endpoint. */
  readonly forcePathStyle?: boolean;
  /** Static credentials; absent: the SDK's default chain (env, IRSA, instance role). */
  readonly credentials?: S3Credentials;
  /** Sockets per host (the streamer runs 16 parts at once). Default 32. */
  readonly maxSockets?: number;
  /** TCP connect timeout, ms. Default 10000. */
  readonly connectTimeoutMs?: number;
  /** Until response headers (a ListObjectsV2 page, a GetObject's head), ms. Default 30000. */
  readonly headersTimeoutMs?: number;
  /** Longest gap between body chunks, ms. Default 30000. */
  readonly bodyIdleTimeoutMs?: number;
  /** Most files one artifact may list. Default 10000. */
  readonly maxFiles?: number;
}

/** S3 settings from the standard AWS environment variables (a plain object, not process.env). */
export function s3SettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): S3SourceSettings {
  const { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: token } = env;
  const credentials =
    id !== undefined && secret !== undefined
      ? {
          accessKeyId: id,
          secretAccessKey: secret,
          ...(token === undefined ? {} : { sessionToken: token }),
        }
      : undefined;
  return {
    ...(env.AWS_ENDPOINT_URL === undefined ? {} : { endpoint: env.AWS_ENDPOINT_URL }),
    ...(env.AWS_REGION === undefined ? {} : { region: env.AWS_REGION }),
    ...(credentials === undefined ? {} : { credentials }),
  };
}

let sdk: Promise<typeof S3Sdk> | undefined;
const s3Sdk = (): Promise<typeof S3Sdk> => (sdk ??= import('@aws-sdk/client-s3'));

/** One S3 client for a process: bounded sockets, one attempt per call, connect/idle timeouts. */
export async function createS3Client(settings: S3SourceSettings): Promise<S3Client> {
  const { S3Client } = await s3Sdk();
  const agent = { keepAlive: true, maxSockets: settings.maxSockets ?? 32 };
  return new S3Client({
    region: settings.region ?? 'us-east-1',
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    forcePathStyle: settings.forcePathStyle ?? settings.endpoint !== undefined,
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
    maxAttempts: 1,
    requestHandler: {
      httpAgent: new HttpAgent(agent),
      httpsAgent: new HttpsAgent(agent),
      connectionTimeout: settings.connectTimeoutMs ?? 10_000,
      // A socket idle this long is dropped by the SDK: the stall guard below the streamer's own.
      requestTimeout: settings.bodyIdleTimeoutMs ?? 30_000,
    },
  });
}

type S3Ref = Extract<ArtifactRef, { scheme: 's3' }>;

/** Maps an SDK error to a WEIGHTS_* AppError. */
function s3Error(
  err: unknown,
  what: string,
  state: { callerAborted: boolean; timedOut: boolean },
): AppError {
  if (err instanceof AppError) return err;
  const name = (err as { name?: unknown } | null)?.name;
  const status = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata
    ?.httpStatusCode;
  if (name === 'NoSuchKey' || name === 'NoSuchBucket') return statusError(404, what, name);
  if (status !== undefined && status >= 300 && !state.callerAborted && !state.timedOut)
    return statusError(status, what, typeof name === 'string' ? name : undefined);
  // The SDK names a reset `TimeoutError` too (transient); only its message tells a real timeout.
  const message = err instanceof Error ? err.message : '';
  const isSdkTimeout = name === 'TimeoutError' && /timed? ?out/i.test(message);
  return transportError(err, what, { ...state, timedOut: state.timedOut || isSdkTimeout });
}

/** {@link ArtifactSource} for `s3://` URIs on a client from {@link createS3Client}. */
export class S3ArtifactSource implements ArtifactSource {
  readonly #ref: S3Ref;
  readonly #client: S3Client | Promise<S3Client>;
  readonly #headersTimeoutMs: number;
  readonly #bodyIdleTimeoutMs: number;
  readonly #maxFiles: number;

  /** `client` may be a pending {@link createS3Client}, shared by a factory's sources. */
  constructor(ref: S3Ref, client: S3Client | Promise<S3Client>, settings: S3SourceSettings = {}) {
    this.#ref = ref;
    this.#client = client;
    this.#headersTimeoutMs = settings.headersTimeoutMs ?? 30_000;
    this.#bodyIdleTimeoutMs = settings.bodyIdleTimeoutMs ?? 30_000;
    this.#maxFiles = settings.maxFiles ?? 10_000;
  }

  /** @inheritDoc */
  async list(signal: AbortSignal): Promise<ArtifactListing> {
    const { bucket, prefix } = this.#ref;
    const files: ArtifactFile[] = [];
    let token: string | undefined;
    do {
      const page = await this.#call(`list ${this.#ref.uri}`, signal, (abortSignal, client, sdk) =>
        client.send(
          new sdk.ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ContinuationToken: token,
          }),
          { abortSignal },
        ),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key ?? '';
        // "Folder" markers some tools create are not files of the model.
        if (key.endsWith('/') || !key.startsWith(prefix)) continue;
        const path = assertSafeRelativePath(key.slice(prefix.length), this.#ref.uri);
        files.push({
          path,
          size: object.Size ?? 0,
          ...(object.ETag === undefined ? {} : { etag: object.ETag }),
        });
        if (files.length > this.#maxFiles)
          throw new AppError(
            'WEIGHTS_SOURCE_FAILED',
            `${this.#ref.uri} has more than ${this.#maxFiles} files`,
          );
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return sortedListing(this.#ref, files, 'object');
  }

  /** @inheritDoc */
  async readRange(
    file: ArtifactFile,
    range: ByteRange,
    signal: AbortSignal,
  ): Promise<AsyncIterable<Uint8Array>> {
    if (range.end <= range.start) return emptyBody();
    const key = this.#ref.prefix + assertSafeRelativePath(file.path, this.#ref.uri);
    const what = `s3://${this.#ref.bucket}/${key}`;
    const out = await this.#call(what, signal, (abortSignal, client, sdk) =>
      client.send(
        new sdk.GetObjectCommand({
          Bucket: this.#ref.bucket,
          Key: key,
          Range: rangeHeader(range),
          ...(file.etag === undefined ? {} : { IfMatch: file.etag }),
        }),
        { abortSignal },
      ),
    );
    const body = out.Body;
    if (!(body instanceof IncomingMessage))
      throw new AppError('WEIGHTS_SOURCE_FAILED', `${what}: the SDK returned no Node stream`);
    const problem =
      file.etag !== undefined && !sameEtag(out.ETag, file.etag)
        ? `ETag ${out.ETag ?? '(none)'}, listed ${file.etag}`
        : contentRangeProblem(out.ContentRange, range, file.size);
    if (problem !== undefined) {
      body.destroy();
      throw sourceChanged(what, problem);
    }
    return responseBody(body, what, this.#bodyIdleTimeoutMs, signal);
  }

  /**
   * One SDK call with the caller's signal and the headers timeout, errors mapped (a client or
   * SDK that failed to load included).
   */
  async #call<T>(
    what: string,
    signal: AbortSignal,
    send: (signal: AbortSignal, client: S3Client, sdk: typeof S3Sdk) => Promise<T>,
  ): Promise<T> {
    const linked = linkedSignal([signal], this.#headersTimeoutMs);
    try {
      const [client, sdk] = await Promise.all([this.#client, s3Sdk()]);
      return await send(linked.signal, client, sdk);
    } catch (err) {
      throw s3Error(err, what, { callerAborted: signal.aborted, timedOut: linked.timedOut });
    } finally {
      linked.dispose();
    }
  }
}
