/**
 * The cluster file's optional `objectStore:` section: an S3-compatible server (s3rver) that
 * `infernode up` runs on loopback, its buckets, and synthetic models to seed, so the local
 * cluster serves a model the way production does, from object storage through the agents.
 */
import type { ConfigIssue } from '../shared/index.js';
import { isObj, optionalNumber, port } from './cluster-file-fields.js';

/** One synthetic model `up` writes and uploads: `shards` safetensors files totalling `sizeMiB`. */
export interface ObjectStoreSeed {
  readonly bucket: string;
  /** Key prefix of the model's files, without a trailing slash ('' = the bucket's root). */
  readonly prefix: string;
  readonly sizeMiB: number;
  readonly shards: number;
}

/** The `objectStore:` section. */
export interface ObjectStoreEntry {
  /** Listen address; loopback only. Default 127.0.0.1. */
  readonly host: string;
  readonly port: number;
  /** Buckets created at start (seed buckets are created too). */
  readonly buckets: readonly string[];
  readonly seed: readonly ObjectStoreSeed[];
}

/** Largest synthetic model, MiB (a bound on what `up` writes to disk). */
export const MAX_SEED_SIZE_MIB = 64 * 1024;
/** S3's bucket naming rule (lower case, digits, dots, hyphens; 3–63). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `objectStore:`; undefined when absent. Records every issue. */
export function parseObjectStore(
  raw: unknown,
  issues: ConfigIssue[],
): ObjectStoreEntry | undefined {
  if (raw === undefined) return undefined;
  if (!isObj(raw)) {
    issues.push({ path: 'objectStore', message: 'expected a mapping with port, buckets, seed' });
    return undefined;
  }
  const host = raw.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1')
    issues.push({
      path: 'objectStore.host',
      message: 'expected a loopback address: the local object store accepts any client',
    });
  const bucketName = (v: unknown, path: string): string => {
    if (typeof v === 'string' && BUCKET.test(v)) return v;
    issues.push({ path, message: `expected an S3 bucket name, got ${JSON.stringify(v)}` });
    return '';
  };
  const rawBuckets = raw.buckets ?? [];
  if (!Array.isArray(rawBuckets))
    issues.push({ path: 'objectStore.buckets', message: 'expected a list of bucket names' });
  const buckets = (Array.isArray(rawBuckets) ? rawBuckets : []).map((b, i) =>
    bucketName(b, `objectStore.buckets[${i}]`),
  );
  const rawSeed = raw.seed ?? [];
  if (!Array.isArray(rawSeed))
    issues.push({
      path: 'objectStore.seed',
      message: 'expected a list of {bucket, prefix, sizeMiB, shards}',
    });
  const seed: ObjectStoreSeed[] = [];
  (Array.isArray(rawSeed) ? rawSeed : []).forEach((s: unknown, i) => {
    const path = `objectStore.seed[${i}]`;
    if (!isObj(s)) {
      issues.push({ path, message: 'expected {bucket, prefix, sizeMiB, shards}' });
      return;
    }
    const prefix = s.prefix ?? '';
    if (typeof prefix !== 'string' || prefix.split('/').some((p) => p === '..' || p === '.'))
      issues.push({
        path: `${path}.prefix`,
        message: 'expected a key prefix without . or .. parts',
      });
    const sizeMiB = optionalNumber(s.sizeMiB, `${path}.sizeMiB`, issues, {
      min: 0.001,
      max: MAX_SEED_SIZE_MIB,
    });
    const shards = optionalNumber(s.shards ?? 1, `${path}.shards`, issues, {
      min: 1,
      max: 1000,
      integer: true,
    });
    if (s.sizeMiB === undefined) issues.push({ path: `${path}.sizeMiB`, message: 'required' });
    seed.push({
      bucket: bucketName(s.bucket, `${path}.bucket`),
      prefix: (typeof prefix === 'string' ? prefix : '').replace(/^\/+|\/+$/g, ''),
      sizeMiB: sizeMiB ?? 0,
      shards: shards ?? 1,
    });
  });
  return {
    host: typeof host === 'string' ? host : '127.0.0.1',
    port: port(raw.port, 'objectStore.port', issues),
    buckets,
    seed,
  };
}
