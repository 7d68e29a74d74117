import { describe, expect, it } from 'vitest';
import { SIM_LOAD_FORMATS } from '../../../src/discovery/index.js';
import { hasCode } from '../../../src/shared/index.js';
import {
  LOAD_FORMATS,
  RUNAI_FS_DEFAULTS,
  RUNAI_OBJECT_STORE_DEFAULTS,
  parseS3ModelUri,
  planWeightLoad,
} from '../../../src/sim/weight-load-plan.js';
import {
  checkSafetensorsHeaderJson,
  safetensorsHeaderLength,
} from '../../../src/sim/safetensors-check.js';
import { safetensorsPrelude } from '../../../src/up/synthetic-model.js';

const plan = (modelPath?: string, loadFormat?: (typeof LOAD_FORMATS)[number], env = {}) =>
  planWeightLoad({ modelPath, loadFormat, ioTimeoutMs: 1000 }, env);

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
};

describe('planWeightLoad (vLLM --model-path / --load-format)', () => {
  it('reads nothing without a model path, or with dummy', () => {
    expect(plan()).toEqual({ format: 'dummy' });
    expect(plan('', 'auto')).toEqual({ format: 'dummy' });
    expect(plan('/models/x', 'dummy')).toEqual({ format: 'dummy' });
  });

  it('auto is the safetensors loader on a directory: one file at a time', () => {
    expect(plan('/models/x')).toMatchObject({
      format: 'safetensors',
      location: { kind: 'dir', path: '/models/x' },
      concurrency: 1,
      s3: undefined,
    });
  });

  it('auto on s3:// is the Run:ai streamer with its object-store defaults', () => {
    expect(plan('s3://bucket/llama/8b/')).toMatchObject({
      format: 'runai_streamer',
      location: { kind: 's3', bucket: 'bucket', prefix: 'llama/8b/' },
      concurrency: RUNAI_OBJECT_STORE_DEFAULTS.concurrency,
      chunkBytes: RUNAI_OBJECT_STORE_DEFAULTS.chunkBytes,
    });
    expect(RUNAI_OBJECT_STORE_DEFAULTS).toEqual({ concurrency: 8, chunkBytes: 8 * 1024 * 1024 });
  });

  it('runai_streamer on a directory uses the file-system defaults', () => {
    expect(plan('/m', 'runai_streamer')).toMatchObject(RUNAI_FS_DEFAULTS);
  });

  it('reads the AWS and RUNAI_STREAMER environment; path-style with an endpoint', () => {
    const p = plan('s3://b/m', 'runai_streamer', {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9000',
      AWS_ACCESS_KEY_ID: 'k',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_REGION: 'eu-west-1',
      RUNAI_STREAMER_CONCURRENCY: '32',
      RUNAI_STREAMER_CHUNK_BYTESIZE: String(16 * 1024 * 1024),
    });
    expect(p).toMatchObject({
      concurrency: 32,
      chunkBytes: 16 * 1024 * 1024,
      s3: {
        endpoint: 'http://127.0.0.1:9000',
        region: 'eu-west-1',
        credentials: { accessKeyId: 'k', secretAccessKey: 's' },
        forcePathStyle: true,
      },
    });
    expect(plan('s3://b/m')).toMatchObject({ s3: { forcePathStyle: false, region: 'us-east-1' } });
  });

  it('raises a chunk below Run:ai minimum (5 MiB from S3) to the minimum', () => {
    const p = plan('s3://b/m', 'runai_streamer', { RUNAI_STREAMER_CHUNK_BYTESIZE: '1024' });
    expect(p).toMatchObject({ chunkBytes: 5 * 1024 * 1024 });
  });

  it('refuses what vLLM refuses, with CONFIG_INVALID', () => {
    for (const f of [
      () => plan('s3://b/m', 'safetensors'),
      () => plan(undefined, 'runai_streamer'),
      () => plan('gs://b/m', 'runai_streamer'),
      () => plan('/m', 'bogus' as 'auto'),
      () => plan('s3://b/m', 'runai_streamer', { RUNAI_STREAMER_CONCURRENCY: '0' }),
      () => plan('s3://b/m', 'runai_streamer', { AWS_ENDPOINT_URL: 'ftp://x' }),
    ])
      expect(hasCode(thrown(f), 'CONFIG_INVALID')).toBe(true);
  });

  it('parses s3:// URIs into bucket and a slash-ended prefix', () => {
    expect(parseS3ModelUri('s3://b')).toEqual({ bucket: 'b', prefix: '' });
    expect(parseS3ModelUri('s3://b/a/c')).toEqual({ bucket: 'b', prefix: 'a/c/' });
    expect(parseS3ModelUri('/local')).toBeUndefined();
  });

  it('the cluster file accepts exactly the formats the simulator implements', () => {
    expect([...SIM_LOAD_FORMATS]).toEqual([...LOAD_FORMATS]);
  });
});

describe('safetensors header check', () => {
  it('accepts what the synthetic writer produces, header padded to 8 bytes', () => {
    const prelude = safetensorsPrelude(10 * 1024 * 1024, 0);
    const size = prelude.length + 10 * 1024 * 1024;
    const n = safetensorsHeaderLength(prelude.subarray(0, 8), size, 'x');
    expect(n % 8).toBe(0);
    expect(checkSafetensorsHeaderJson(prelude.subarray(8, 8 + n), size, 'x')).toBe(3);
  });

  it('refuses a short file, a huge length and a non-object header', () => {
    const len = (v: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(v);
      return b;
    };
    for (const f of [
      () => safetensorsHeaderLength(len(2n), 4, 'x'),
      () => safetensorsHeaderLength(len(2n ** 40n), 2 ** 41, 'x'),
      () => safetensorsHeaderLength(len(100n), 50, 'x'),
      () => checkSafetensorsHeaderJson(Buffer.from('[1,2]'), 100, 'x'),
      () => checkSafetensorsHeaderJson(Buffer.from('{"a":'), 100, 'x'),
    ])
      expect(hasCode(thrown(f), 'WEIGHTS_CORRUPT_SAFETENSORS')).toBe(true);
  });
});
