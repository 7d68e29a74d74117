/**
 * Fetches a LoRA adapter into the node cache and checks it is one: the artifact goes through the
 * node cache's pull (one fetch per node, the weight sources, resume), its size is bounded as soon
 * as the source has listed it (an oversized artifact stops downloading then, not at the end),
 * and its `adapter_config.json` is read and validated. Progress goes out about every second.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonObject } from '../protocol/index.js';
import {
  ADAPTER_CONFIG_FILE,
  MAX_ADAPTER_CONFIG_BYTES,
  parseAdapterConfig,
} from '../lora/index.js';
import type { AdapterConfig } from '../lora/index.js';
import { AppError, linkedSignal, toError } from '../shared/index.js';
import type { CachedModel, PullHandle, ResolveSource } from '../weights/adapters/index.js';
import { ADAPTER_WEIGHT_FILES } from '../weights/index.js';
import { progressSummary } from './weights-commands.js';

/** What the fetch needs of the node cache. */
export interface LoraFetchCache {
  pull(
    uri: string,
    options: { readonly signal: AbortSignal; readonly resolveSource?: ResolveSource },
  ): PullHandle;
  evict(uri: string): Promise<{ readonly key: string; readonly bytes: number }>;
}

/** A fetched, validated adapter. */
export interface FetchedAdapter {
  readonly model: CachedModel;
  readonly config: AdapterConfig;
}

/** Options of one {@link fetchAdapter}. */
export interface FetchAdapterOptions {
  readonly cache: LoraFetchCache;
  readonly uri: string;
  readonly maxBytes: number;
  readonly resolveSource?: ResolveSource;
  readonly signal: AbortSignal;
  readonly progress: (progress: JsonObject) => void;
  /** Between checks of the size and progress messages, ms. */
  readonly tickMs: number;
  /** Between progress messages, ms. */
  readonly progressEveryMs: number;
}

function tooLarge(uri: string, bytes: number, maxBytes: number): AppError {
  return new AppError(
    'LORA_TOO_LARGE',
    `adapter ${uri} is ${bytes} bytes, over the limit of ${maxBytes} (lora.maxAdapterBytes)`,
  );
}

/** Pulls `uri` with the size bound; see the file comment. */
async function pullBounded(options: FetchAdapterOptions): Promise<CachedModel> {
  const { cache, uri, maxBytes } = options;
  const stop = new AbortController();
  const link = linkedSignal([options.signal, stop.signal]);
  let oversize: number | undefined;
  let handle: PullHandle;
  try {
    handle = cache.pull(uri, {
      signal: link.signal,
      ...(options.resolveSource === undefined ? {} : { resolveSource: options.resolveSource }),
    });
  } catch (err) {
    link.dispose();
    throw artifactFailed(uri, err);
  }
  let sinceProgress = 0;
  const timer = setInterval(() => {
    const p = handle.progress();
    if (p.totalBytes > maxBytes && oversize === undefined) {
      oversize = p.totalBytes;
      stop.abort(tooLarge(uri, p.totalBytes, maxBytes));
    }
    sinceProgress += options.tickMs;
    if (sinceProgress >= options.progressEveryMs) {
      sinceProgress = 0;
      options.progress({ phase: 'fetching', ...progressSummary(p) });
    }
  }, options.tickMs);
  timer.unref();
  try {
    const model = await handle.done;
    if (model.bytes > maxBytes) {
      // Fetched before its size was seen (a hit, or a listing faster than a tick): drop it.
      await cache.evict(uri).catch(() => undefined);
      throw tooLarge(uri, model.bytes, maxBytes);
    }
    return model;
  } catch (err) {
    if (oversize !== undefined) throw tooLarge(uri, oversize, maxBytes);
    if (options.signal.aborted) throw toError(options.signal.reason);
    throw artifactFailed(uri, err);
  } finally {
    clearInterval(timer);
    link.dispose();
  }
}

function artifactFailed(uri: string, err: unknown): AppError {
  if (err instanceof AppError && err.code.startsWith('LORA_')) return err;
  return new AppError(
    'LORA_ARTIFACT_FAILED',
    `cannot fetch adapter ${uri}: ${toError(err).message}`,
    { cause: err },
  );
}

/** Reads and validates the cached adapter's config and weight file. */
async function checkAdapter(model: CachedModel, signal: AbortSignal): Promise<AdapterConfig> {
  const configFile = model.files.find((f) => f.path === ADAPTER_CONFIG_FILE);
  if (configFile === undefined)
    throw new AppError(
      'LORA_BAD_ADAPTER',
      `${model.uri} has no ${ADAPTER_CONFIG_FILE}: not a PEFT LoRA adapter`,
    );
  if (configFile.size > MAX_ADAPTER_CONFIG_BYTES)
    throw new AppError(
      'LORA_BAD_ADAPTER',
      `${model.uri}: ${ADAPTER_CONFIG_FILE} is ${configFile.size} bytes, over ${MAX_ADAPTER_CONFIG_BYTES}`,
    );
  if (!model.files.some((f) => (ADAPTER_WEIGHT_FILES as readonly string[]).includes(f.path)))
    throw new AppError(
      'LORA_BAD_ADAPTER',
      `${model.uri} has neither ${ADAPTER_WEIGHT_FILES.join(' nor ')}`,
    );
  const text = await readFile(join(model.path, ADAPTER_CONFIG_FILE), { encoding: 'utf8', signal });
  return parseAdapterConfig(text);
}

/** Fetches and validates an adapter; throws LORA_* AppErrors (see lora-commands.ts). */
export async function fetchAdapter(options: FetchAdapterOptions): Promise<FetchedAdapter> {
  const model = await pullBounded(options);
  return { model, config: await checkAdapter(model, options.signal) };
}
