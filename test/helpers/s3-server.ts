/**
 * A real S3-compatible server for the weights tests and the weight bench: s3rver on 127.0.0.1
 * port 0 over a temp directory, behind a tiny counting proxy (s3rver emits no event for GETs, and
 * the bench must count upstream GETs). Clients talk to the proxy (`endpoint`); it forwards every
 * request untouched (SigV4 signs the Host header, which is kept) and records method, key and
 * Range. It can also fail the next matching requests (a status, or a TCP reset).
 *
 *   const s3 = await startS3Server({ buckets: ['models'] });
 *   await s3.putObject('models', 'llama/model.safetensors', bytes);
 *   s3.getCount('models', 'llama/model.safetensors');
 *   await s3.close();
 *
 * What s3rver (3.7) does and does not do, checked on Node 20 with @aws-sdk/client-s3: path-style
 * addressing, ListObjectsV2 with MaxKeys/ContinuationToken, ranged GetObject with Content-Range,
 * NoSuchKey/NoSuchBucket 404, a wrong access key 403 (InvalidAccessKeyId). It IGNORES IfMatch on
 * GetObject (answers 200 with the new object's ETag), so the s3 source's own ETag comparison is
 * what catches a replaced object here. A TRUNCATED ListObjectsV2 page (more than MaxKeys, 1000
 * by default) fails with 500 InternalError on Node 17+: s3rver builds continuation tokens with the
 * DES cipher, which OpenSSL 3 no longer offers. Keep test prefixes under 1000 objects.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { forwardToLoopback } from '../../src/bench/http-forward.js';

/** s3rver's fixed development credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** One request seen by the proxy. */
export interface SeenS3Request {
  readonly method: string;
  /** `bucket/key` (URL-decoded), or `bucket` for bucket-level calls. */
  readonly path: string;
  readonly range: string | undefined;
  readonly isList: boolean;
}

/** A proxy fault for the next `times` matching requests. */
export interface S3Fault {
  /** `bucket/key` the fault applies to; any when absent. */
  readonly path?: string;
  readonly times?: number;
  readonly kind: 'status' | 'reset';
  readonly status?: number;
}

/** A running server; see the file comment. */
export interface S3TestServer {
  /** The proxy's URL: what clients use as endpoint. */
  readonly endpoint: string;
  /** Endpoint, region, path style and credentials for the s3 source. */
  readonly settings: {
    readonly endpoint: string;
    readonly region: string;
    readonly forcePathStyle: true;
    readonly credentials: typeof S3RVER_CREDENTIALS;
  };
  /** A client for setting up objects (one attempt, through the proxy). */
  readonly client: S3Client;
  readonly requests: readonly SeenS3Request[];
  putObject(bucket: string, key: string, body: Buffer | string): Promise<string | undefined>;
  deleteObject(bucket: string, key: string): Promise<void>;
  createBucket(bucket: string): Promise<void>;
  /** GetObject requests seen for `bucket/key`. */
  getCount(bucket: string, key: string): number;
  fault(fault: S3Fault): void;
  close(): Promise<void>;
}

/** Starts s3rver and its counting proxy; creates `buckets`. */
export async function startS3Server(
  options: { readonly buckets?: readonly string[] } = {},
): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'infernode-s3rver-'));
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const upstream = await s3rver.run();
  const requests: SeenS3Request[] = [];
  const faults: (S3Fault & { left: number })[] = [];

  const proxy = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname.slice(1));
    const isList = url.searchParams.has('list-type') || !path.includes('/');
    requests.push({ method: req.method ?? 'GET', path, range: req.headers.range, isList });
    const index = faults.findIndex((f) => f.path === undefined || f.path === path);
    const fault = faults[index];
    if (fault !== undefined) {
      fault.left -= 1;
      if (fault.left <= 0) faults.splice(index, 1);
      if (fault.kind === 'reset') return void req.socket.resetAndDestroy();
      return void res.writeHead(fault.status ?? 500).end();
    }
    forwardToLoopback(upstream.port, req, res);
  });
  proxy.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => proxy.once('listening', resolve));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const settings = {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
  } as const;
  const client = new S3Client({ ...settings, maxAttempts: 1 });
  const server: S3TestServer = {
    endpoint,
    settings,
    client,
    requests,
    async putObject(bucket, key, body) {
      return (await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })))
        .ETag;
    },
    async deleteObject(bucket, key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async createBucket(bucket) {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    },
    getCount: (bucket, key) =>
      requests.filter((r) => r.method === 'GET' && !r.isList && r.path === `${bucket}/${key}`)
        .length,
    fault: (fault) => void faults.push({ ...fault, left: fault.times ?? 1 }),
    async close() {
      client.destroy();
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await s3rver.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
  for (const bucket of options.buckets ?? []) await server.createBucket(bucket);
  return server;
}
