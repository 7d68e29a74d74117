/**
 * What the simulator reads at startup, decided from vLLM's own flags (`--model-path` stands for
 * the model vLLM would load, `--load-format`) and the Run:ai streamer's environment. Pure: the
 * readers do the I/O. Defaults are Run:ai Model Streamer's (docs/src/env-vars.md, perf.md §4).
 */
import { AppError } from '../shared/index.js';

/** vLLM `--load-format` values the simulator implements (vLLM's names). */
export const LOAD_FORMATS = ['auto', 'safetensors', 'runai_streamer', 'dummy'] as const;

/** One of LOAD_FORMATS. */
export type LoadFormat = (typeof LOAD_FORMATS)[number];

/** Run:ai streamer defaults: reading from a file system. */
export const RUNAI_FS_DEFAULTS = { concurrency: 16, chunkBytes: 2 * 1024 * 1024 } as const;
/** Run:ai streamer defaults: reading from an object store (S3). */
export const RUNAI_OBJECT_STORE_DEFAULTS = { concurrency: 8, chunkBytes: 8 * 1024 * 1024 } as const;
/** Run:ai's smallest chunk: 2 MiB from a file system, 5 MiB from an object store. */
export const RUNAI_MIN_CHUNK_BYTES = { fs: 2 * 1024 * 1024, objectStore: 5 * 1024 * 1024 } as const;
/** Most chunks in flight the simulator allows, whatever the environment says (a bound). */
export const MAX_LOAD_CONCURRENCY = 256;
/** Largest chunk the simulator holds in memory at once (a bound). */
export const MAX_LOAD_CHUNK_BYTES = 256 * 1024 * 1024;

/** Where the model is. */
export type ModelLocation =
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string };

/** The S3 client settings, from the AWS_* environment the engine was given. */
export interface S3ClientSettings {
  /** AWS_ENDPOINT_URL; absent = AWS's own endpoint. */
  readonly endpoint: string | undefined;
  /** AWS_REGION (or AWS_DEFAULT_REGION); default us-east-1. */
  readonly region: string;
  /** AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY when both are set; else the SDK's default chain. */
  readonly credentials:
    { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** Path-style addressing: on whenever an endpoint is set (S3-compatible stores). */
  readonly forcePathStyle: boolean;
}

/** A resolved load: nothing (dummy), or which bytes to read and how. */
export type WeightLoadPlan =
  | { readonly format: 'dummy' }
  | {
      /** The loader vLLM would use: its default safetensors loader, or the Run:ai streamer. */
      readonly format: 'safetensors' | 'runai_streamer';
      readonly location: ModelLocation;
      /** Chunks read at once (1 for vLLM's default loader, which reads file by file). */
      readonly concurrency: number;
      readonly chunkBytes: number;
      /** Set when location is s3. */
      readonly s3: S3ClientSettings | undefined;
      /** Timeout of each read (one chunk, one listing page), ms. */
      readonly ioTimeoutMs: number;
    };

/** Inputs of planWeightLoad. */
export interface WeightLoadRequest {
  /** The model to load: a directory or `s3://bucket/prefix`; absent or '' = dummy weights. */
  readonly modelPath: string | undefined;
  /** Default 'auto' (which, without a model path, reads nothing). */
  readonly loadFormat: LoadFormat | undefined;
  readonly ioTimeoutMs: number;
}

/** `s3://bucket/prefix` → bucket and prefix ('' or ending in '/'); undefined when not s3://. */
export function parseS3ModelUri(uri: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (m === null) return undefined;
  const rest = (m[2] ?? '').replace(/\/+$/, '');
  return { bucket: m[1] ?? '', prefix: rest === '' ? '' : `${rest}/` };
}

/**
 * Decides the load. vLLM's rules: `dummy` reads nothing; `auto` on a directory is the default
 * safetensors loader, and on an object-store URI switches to the Run:ai streamer; the default
 * loader cannot read `s3://`. Throws AppError CONFIG_INVALID naming the bad setting.
 */
export function planWeightLoad(
  request: WeightLoadRequest,
  env: Readonly<Record<string, string | undefined>>,
): WeightLoadPlan {
  const format = request.loadFormat ?? 'auto';
  if (!LOAD_FORMATS.includes(format))
    throw new AppError(
      'CONFIG_INVALID',
      `loadFormat: unknown "${format}"; valid: ${LOAD_FORMATS.join(', ')}`,
    );
  const modelPath = request.modelPath === '' ? undefined : request.modelPath;
  // Without a model path there is nothing to read: `auto` means dummy weights, as before.
  if (format === 'dummy' || (format === 'auto' && modelPath === undefined))
    return { format: 'dummy' };
  if (modelPath === undefined)
    throw new AppError('CONFIG_INVALID', `loadFormat ${format} needs a modelPath`);
  const s3 = parseS3ModelUri(modelPath);
  if (s3 === undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(modelPath))
    throw new AppError(
      'CONFIG_INVALID',
      `modelPath: "${modelPath}" is neither a directory nor s3://bucket/prefix`,
    );
  if (s3 !== undefined && format === 'safetensors')
    throw new AppError(
      'CONFIG_INVALID',
      `loadFormat safetensors reads a local directory; "${modelPath}" needs runai_streamer (or auto)`,
    );
  const loader = format === 'auto' ? (s3 === undefined ? 'safetensors' : 'runai_streamer') : format;
  const defaults = s3 === undefined ? RUNAI_FS_DEFAULTS : RUNAI_OBJECT_STORE_DEFAULTS;
  const minChunk = s3 === undefined ? RUNAI_MIN_CHUNK_BYTES.fs : RUNAI_MIN_CHUNK_BYTES.objectStore;
  const streamer = loader === 'runai_streamer';
  const concurrency = streamer
    ? positiveInt(env, 'RUNAI_STREAMER_CONCURRENCY', defaults.concurrency, 1, MAX_LOAD_CONCURRENCY)
    : 1;
  const chunkBytes = streamer
    ? Math.max(
        minChunk,
        positiveInt(
          env,
          'RUNAI_STREAMER_CHUNK_BYTESIZE',
          defaults.chunkBytes,
          1,
          MAX_LOAD_CHUNK_BYTES,
        ),
      )
    : RUNAI_FS_DEFAULTS.chunkBytes;
  return {
    format: loader,
    location: s3 === undefined ? { kind: 'dir', path: modelPath } : { kind: 's3', ...s3 },
    concurrency,
    chunkBytes,
    s3: s3 === undefined ? undefined : s3Settings(env),
    ioTimeoutMs: request.ioTimeoutMs,
  };
}

function s3Settings(env: Readonly<Record<string, string | undefined>>): S3ClientSettings {
  const endpoint = nonEmpty(env.AWS_ENDPOINT_URL);
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint))
    throw new AppError(
      'CONFIG_INVALID',
      `AWS_ENDPOINT_URL: expected an http(s) URL, got "${endpoint}"`,
    );
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  return {
    endpoint,
    region: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? 'us-east-1',
    credentials:
      accessKeyId !== undefined && secretAccessKey !== undefined
        ? { accessKeyId, secretAccessKey }
        : undefined,
    forcePathStyle: endpoint !== undefined,
  };
}

const nonEmpty = (v: string | undefined): string | undefined =>
  v === undefined || v.trim() === '' ? undefined : v.trim();

function positiveInt(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new AppError(
      'CONFIG_INVALID',
      `${name}: expected an integer ${min}–${max}, got "${raw}"`,
    );
  return n;
}
