/**
 * The local cluster's object store: a real s3rver on loopback with the cluster file's buckets,
 * seeded with synthetic models (written once under the state directory, uploaded at each start).
 * It stands where S3 stands in production: the agents' upstream.
 */
import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { ObjectStoreEntry } from '../discovery/index.js';
import { AppError, linkedSignal } from '../shared/index.js';
import { writeSyntheticModel } from './synthetic-model.js';

/** s3rver's one account (any other key is refused). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
/** The region the local cluster's clients sign for. */
export const LOCAL_OBJECT_STORE_REGION = 'us-east-1';
/** Timeout of one upload while seeding, ms. */
const PUT_TIMEOUT_MS = 120_000;

/** A running object store. */
export interface LocalObjectStore {
  /** `http://127.0.0.1:<port>`: AWS_ENDPOINT_URL for its clients. */
  readonly url: string;
  /** Objects uploaded by the seed, as `s3://bucket/key`. */
  readonly seeded: readonly string[];
  close(): Promise<void>;
}

/** Starts s3rver for `entry`, storing under `stateDir`; creates the buckets, then seeds. */
export async function startObjectStore(
  entry: ObjectStoreEntry,
  stateDir: string,
  signal?: AbortSignal,
): Promise<LocalObjectStore> {
  const directory = join(stateDir, 's3rver');
  await mkdir(directory, { recursive: true });
  const buckets = [...new Set([...entry.buckets, ...entry.seed.map((s) => s.bucket)])];
  const server = new S3rver({
    address: entry.host,
    port: entry.port,
    directory,
    silent: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const address = await server.run().catch((err: unknown) => {
    throw new AppError(
      'PROC_CHILD_FAILED',
      `the object store (objectStore.port ${entry.port}) did not start: ${(err as Error).message}`,
      { cause: err },
    );
  });
  const url = `http://${entry.host}:${address.port}`;
  const seeded: string[] = [];
  try {
    const client = new S3Client({
      endpoint: url,
      region: LOCAL_OBJECT_STORE_REGION,
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
      // s3rver 3 predates the SDK's default CRC trailers (aws-chunked bodies) and would store
      // the chunk framing as object bytes: send plain bodies.
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    try {
      for (const seed of entry.seed) {
        const prefix = seed.prefix.replace(/^\/+|\/+$/g, '');
        const dir = join(stateDir, 'models', seed.bucket, prefix || '_root');
        const files = await writeSyntheticModel(dir, seed, signal);
        for (const f of files) {
          const key = prefix === '' ? f.name : `${prefix}/${f.name}`;
          const call = linkedSignal([signal], PUT_TIMEOUT_MS);
          try {
            await client.send(
              new PutObjectCommand({
                Bucket: seed.bucket,
                Key: key,
                Body: createReadStream(join(dir, f.name)),
                ContentLength: f.size,
              }),
              { abortSignal: call.signal },
            );
          } finally {
            call.dispose();
          }
          seeded.push(`s3://${seed.bucket}/${key}`);
        }
      }
    } finally {
      client.destroy();
    }
  } catch (err) {
    await server.close();
    throw err;
  }
  return { url, seeded, close: () => server.close() };
}
