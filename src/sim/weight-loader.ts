/**
 * Loads a model's weights the way vLLM does before it serves: lists the model, checks each
 * safetensors header, then reads every byte of every shard (and the config and tokenizer files
 * beside them) in chunks, `concurrency` at a time, and logs vLLM's lines with the time and
 * bytes. The simulator keeps nothing it reads: the point is that startup costs the real bytes.
 */
import { AppError, linkedSignal, type Clock, type Logger } from '../shared/index.js';
import { dirModelStore } from './dir-model-store.js';
import type { ModelFileInfo, ModelStore } from './model-store.js';
import { checkSafetensorsHeaderJson, safetensorsHeaderLength } from './safetensors-check.js';
import { withIoDeadline } from './weight-io.js';
import type { WeightLoadPlan } from './weight-load-plan.js';

/** What one load read and how long it took (served at GET /admin/weights). */
export interface WeightLoadReport {
  readonly format: WeightLoadPlan['format'];
  /** The model path; '' for dummy. */
  readonly modelPath: string;
  /** Safetensors shards read. */
  readonly weightFiles: number;
  /** Tensors the shards' headers list. */
  readonly tensors: number;
  /** Bytes of the shards, headers included: the sum of their sizes. */
  readonly weightBytes: number;
  /** Every byte read: shards plus config and tokenizer files. */
  readonly bytes: number;
  readonly seconds: number;
  readonly gibPerSecond: number;
}

/** Files vLLM does not read for a safetensors model (other weight formats). */
const IGNORED = /\.(bin|pt|pth|gguf|msgpack|h5|onnx)$/i;
const GIB = 1024 ** 3;

/**
 * A ModelStore for a plan's location. The S3 store (and @aws-sdk/client-s3, ~0.2 s and ~22 MiB)
 * is loaded only for an `s3://` model.
 */
export async function storeForPlan(
  plan: Exclude<WeightLoadPlan, { format: 'dummy' }>,
): Promise<ModelStore> {
  const loc = plan.location;
  if (loc.kind === 'dir') return dirModelStore(loc.path);
  if (plan.s3 === undefined) throw new Error('an s3 plan without S3 settings');
  const { s3ModelStore } = await import('./s3-model-store.js');
  return s3ModelStore(loc.bucket, loc.prefix, plan.s3);
}

/**
 * Runs the plan. Rejects with an AppError (WEIGHTS_NOT_FOUND, WEIGHTS_CORRUPT_SAFETENSORS,
 * WEIGHTS_SOURCE_*, WEIGHTS_ABORTED when `stop` fires) and reads nothing more after the first
 * failure.
 */
export async function loadWeights(
  plan: WeightLoadPlan,
  deps: {
    readonly log: Logger;
    readonly clock: Clock;
    readonly stop: AbortSignal;
    readonly store?: ModelStore;
  },
): Promise<WeightLoadReport> {
  if (plan.format === 'dummy') {
    deps.log.info(
      { loadFormat: 'dummy' },
      'Loading weights skipped: dummy weights (no model path)',
    );
    const none = {
      weightFiles: 0,
      tensors: 0,
      weightBytes: 0,
      bytes: 0,
      seconds: 0,
      gibPerSecond: 0,
    };
    return { format: 'dummy', modelPath: '', ...none };
  }
  const store = deps.store ?? (await storeForPlan(plan));
  const started = deps.clock.monotonicMs();
  // One failed chunk stops the others: vLLM fails the whole load.
  const failed = new AbortController();
  const scope = linkedSignal([deps.stop, failed.signal]);
  const io = <T>(what: string, call: (s: AbortSignal) => Promise<T>): Promise<T> =>
    withIoDeadline(scope.signal, plan.ioTimeoutMs, what, call);
  try {
    const files = await io(`list ${store.where}`, (s) => store.list(s));
    const shards = files.filter((f) => f.name.endsWith('.safetensors')).sort(byName);
    if (shards.length === 0)
      throw new AppError('WEIGHTS_NOT_FOUND', `no *.safetensors files in ${store.where}`);
    const extras = files.filter(
      (f) => !f.name.endsWith('.safetensors') && !IGNORED.test(f.name) && !f.name.startsWith('.'),
    );
    deps.log.info(
      {
        modelPath: store.where,
        loadFormat: plan.format,
        shards: shards.length,
        concurrency: plan.concurrency,
        chunkBytes: plan.chunkBytes,
      },
      plan.format === 'runai_streamer'
        ? 'Loading weights with the Run:ai Model Streamer'
        : "Using model weights format ['*.safetensors']",
    );
    let tensors = 0;
    const ranges: { file: ModelFileInfo; start: number; end: number }[] = [];
    let bytes = 0;
    for (const shard of shards) {
      const first8 = await io(`${shard.name} header`, (s) =>
        store.read(shard, 0, Math.min(8, shard.size), s),
      );
      const n = safetensorsHeaderLength(first8, shard.size, shard.name);
      const header = await io(`${shard.name} header`, (s) => store.read(shard, 8, 8 + n, s));
      tensors += checkSafetensorsHeaderJson(header, shard.size, shard.name);
      bytes += 8 + n;
      pushChunks(ranges, shard, 8 + n, plan.chunkBytes);
    }
    for (const extra of extras) pushChunks(ranges, extra, 0, plan.chunkBytes);
    const config = extras.find((f) => f.name === 'config.json');
    bytes += await readAll(ranges, plan.concurrency, (r) =>
      io(`${r.file.name} bytes ${r.start}-${r.end - 1}`, async (s) => {
        const got = await store.read(r.file, r.start, r.end, s);
        if (r.file === config) checkConfigJson(got, r.start === 0 && r.end === r.file.size);
        return got.byteLength;
      }),
    ).catch((err: unknown) => {
      failed.abort();
      throw err;
    });
    const seconds = (deps.clock.monotonicMs() - started) / 1000;
    const weightBytes = shards.reduce((sum, f) => sum + f.size, 0);
    const report: WeightLoadReport = {
      format: plan.format,
      modelPath: store.where,
      weightFiles: shards.length,
      tensors,
      weightBytes,
      bytes,
      seconds,
      gibPerSecond: seconds > 0 ? bytes / GIB / seconds : 0,
    };
    logLoaded(deps.log, report);
    return report;
  } finally {
    scope.dispose();
    await store.close();
  }
}

const byName = (a: ModelFileInfo, b: ModelFileInfo): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

function pushChunks(
  out: { file: ModelFileInfo; start: number; end: number }[],
  file: ModelFileInfo,
  from: number,
  chunkBytes: number,
): void {
  for (let start = from; start < file.size; start += chunkBytes)
    out.push({ file, start, end: Math.min(file.size, start + chunkBytes) });
}

/** Runs `read` over every range, `concurrency` at a time, in order; sums what it returns. */
async function readAll<R>(
  ranges: readonly R[],
  concurrency: number,
  read: (r: R) => Promise<number>,
): Promise<number> {
  let next = 0;
  let total = 0;
  const worker = async (): Promise<void> => {
    while (next < ranges.length) {
      const r = ranges[next++] as R;
      const n = await read(r); // not `total += await …`: that reads `total` before the wait
      total += n;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ranges.length) }, worker));
  return total;
}

/** vLLM parses config.json before it loads anything; a config split across chunks is not parsed. */
function checkConfigJson(bytes: Uint8Array, whole: boolean): void {
  if (!whole) return;
  try {
    JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    throw new AppError(
      'CONFIG_INVALID',
      `config.json is not valid JSON: ${(err as Error).message}`,
    );
  }
}

/** vLLM's own log lines for a finished load, with the numbers as fields. */
function logLoaded(log: Logger, r: WeightLoadReport): void {
  const fields = {
    bytes: r.bytes,
    weightBytes: r.weightBytes,
    files: r.weightFiles,
    tensors: r.tensors,
    seconds: r.seconds,
    gibPerSecond: r.gibPerSecond,
  };
  if (r.format === 'runai_streamer')
    log.info(
      fields,
      `[RunAI Streamer] Overall time to stream ${(r.bytes / GIB).toFixed(1)} GiB of all files: ${r.seconds.toFixed(2)}s, ${r.gibPerSecond.toFixed(1)} GiB/s`,
    );
  log.info(fields, `Loading weights took ${r.seconds.toFixed(2)} seconds`);
  log.info(
    fields,
    `Model loading took ${(r.weightBytes / GIB).toFixed(4)} GiB and ${r.seconds.toFixed(6)} seconds`,
  );
}
