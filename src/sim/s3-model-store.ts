/**
 * A model under an S3 prefix, read the way the Run:ai streamer reads it (vLLM
 * `--load-format runai_streamer`): ListObjectsV2 under the prefix, then ranged GetObject calls of
 * one chunk each, several in flight. Path-style addressing whenever an endpoint is set, so
 * S3-compatible stores (s3rver, MinIO, the agent's read-through endpoint) work.
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { AppError } from '../shared/index.js';
import { MAX_MODEL_FILES, type ModelFileInfo, type ModelStore } from './model-store.js';
import type { S3ClientSettings } from './weight-load-plan.js';

/** Opens a ModelStore over `s3://bucket/prefix` (prefix '' or ending in '/'). */
export function s3ModelStore(
  bucket: string,
  prefix: string,
  settings: S3ClientSettings,
): ModelStore {
  const client = new S3Client({
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
  });
  const where = `s3://${bucket}/${prefix}`;
  return {
    where,
    async list(signal) {
      const out: ModelFileInfo[] = [];
      let token: string | undefined;
      do {
        const page = await client
          .send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
            { abortSignal: signal },
          )
          .catch((err: unknown) => {
            throw s3Error(err, where, 'ListObjectsV2');
          });
        for (const o of page.Contents ?? []) {
          const name = (o.Key ?? '').slice(prefix.length);
          // vLLM reads the model's top level only, as from a directory.
          if (name !== '' && !name.includes('/')) out.push({ name, size: o.Size ?? 0 });
        }
        if (out.length > MAX_MODEL_FILES)
          throw new AppError(
            'WEIGHTS_NOT_FOUND',
            `${where} has more than ${MAX_MODEL_FILES} files`,
          );
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return out;
    },
    async read(file, start, end, signal) {
      const key = `${prefix}${file.name}`;
      const res = await client
        .send(
          new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }),
          {
            abortSignal: signal,
          },
        )
        .catch((err: unknown) => {
          throw s3Error(err, `s3://${bucket}/${key}`, 'GetObject');
        });
      if (res.Body === undefined)
        throw new AppError('WEIGHTS_SOURCE_FAILED', `s3://${bucket}/${key}: GetObject had no body`);
      const bytes = await res.Body.transformToByteArray();
      if (bytes.byteLength !== end - start)
        throw new AppError(
          'WEIGHTS_INTEGRITY',
          `s3://${bucket}/${key}: range ${start}-${end - 1} returned ${bytes.byteLength} of ${end - start} bytes`,
        );
      return bytes;
    },
    close() {
      client.destroy();
      return Promise.resolve();
    },
  };
}

/** An S3 failure as the stable code an operator can act on. */
function s3Error(err: unknown, where: string, call: string): Error {
  if (err instanceof AppError) return err;
  if (err instanceof S3ServiceException) {
    const status = err.$metadata.httpStatusCode;
    const what = `${where}: ${call} answered ${status ?? '?'} ${err.name}`;
    if (status === 404 || err.name === 'NoSuchBucket' || err.name === 'NoSuchKey')
      return new AppError('WEIGHTS_NOT_FOUND', what, { cause: err });
    if (status === 401 || status === 403)
      return new AppError('WEIGHTS_UNAUTHORIZED', what, { cause: err });
    return new AppError('WEIGHTS_SOURCE_FAILED', what, { cause: err });
  }
  const e = err instanceof Error ? err : new Error(String(err));
  // Aborts are named by withIoDeadline, which knows whether it was the timeout or a stop.
  if (e.name === 'AbortError') return e;
  return new AppError('WEIGHTS_SOURCE_FAILED', `${where}: ${call} failed: ${e.message}`, {
    cause: e,
  });
}
