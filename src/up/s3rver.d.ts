/**
 * Types for s3rver 3.x (it ships none): the parts `infernode up` and the tests use. s3rver is a
 * Koa app; run() listens on `port` (0 = any) at `address` and resolves with the bound address.
 */
declare module 's3rver' {
  import type { AddressInfo } from 'node:net';

  /** Constructor options (s3rver's README). */
  export interface S3rverOptions {
    address?: string;
    port?: number;
    /** Where objects are stored on disk. */
    directory: string;
    silent?: boolean;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    /** Buckets created at run(); `configs` are CORS/website XML documents. */
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  /** An S3-compatible server on the local file system. */
  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    reset(): void;
  }
}
