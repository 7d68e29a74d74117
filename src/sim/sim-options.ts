/**
 * SimServerOptions (the public options of startSimServer) and their defaults, resolved once.
 */
import { AppError, type Logger } from '../shared/index.js';
import type { SimFaults } from './faults.js';
import {
  KV_EVENTS_DEFAULTS,
  parseKvEventsConfig,
  type KvEventsConfig,
} from './kv-events-config.js';
import type { KvBlockStore } from './kv-connector.js';
import { parseKvTransferConfig, type KvTransferConfig } from './kv-transfer-config.js';
import { DEFAULT_PROFILE, HARDWARE_PROFILES, type HardwareProfile } from './profiles.js';
import { planWeightLoad, type LoadFormat, type WeightLoadPlan } from './weight-load-plan.js';

/** Options of one in-process simulator. Every field is optional; defaults are vLLM's where it has one. */
export interface SimServerOptions {
  /** TCP port; 0 = any free port. Default 0. */
  port?: number;
  /** Bind address. Default '127.0.0.1'. */
  host?: string;
  /** Served model name (base model id). Default 'meta-llama/Llama-3.1-8B-Instruct'. */
  model?: string;
  /** Hardware profile id (profiles.ts): 'llama-8b-h100' (default) or 'llama-8b-a100'. */
  profile?: string;
  /** Simulated seconds per wall second. Default 1 (real time); tests use 100–10000. */
  speed?: number;
  /** --max-num-seqs: running requests at most. Default 256. */
  maxNumSeqs?: number;
  /** KV-cache blocks of 16 tokens (--num-gpu-blocks-override). Default 25000 (~8B bf16 on 80 GB). */
  numGpuBlocks?: number;
  /** --max-loras: adapters in one batch. Default 1 (vLLM's default). */
  maxLoras?: number;
  /** --max-lora-rank. Default 16 (vLLM's default). */
  maxLoraRank?: number;
  /**
   * --max-cpu-loras: adapters registered at once; a load beyond it is answered "No free adapter
   * slots.". Default 1024 (the simulator's bound; vLLM's default is max_loras, but it evicts).
   */
  maxCpuLoras?: number;
  /** --enable-lora. Default false. */
  enableLora?: boolean;
  /**
   * --max-model-len, tokens. Default 131072 (Llama-3.1). Clamped to the KV-cache capacity
   * (numGpuBlocks × 16) where vLLM would refuse to start.
   */
  maxModelLen?: number;
  /** --max-num-batched-tokens: the chunked-prefill token budget per step. Default 8192. */
  maxNumBatchedTokens?: number;
  /** Faults active from the start (see SimFaults). Default none. */
  faults?: Partial<SimFaults>;
  /**
   * vLLM's model argument when it names where weights are: a local directory or
   * `s3://bucket/prefix`. Default none: nothing is read (dummy weights, as before).
   */
  modelPath?: string;
  /**
   * vLLM --load-format: 'auto' (default: safetensors from a directory, the Run:ai streamer for
   * s3://, nothing without a modelPath), 'safetensors', 'runai_streamer' or 'dummy'.
   */
  loadFormat?: LoadFormat;
  /**
   * Environment the loader reads, as vLLM reads its own: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
   * AWS_SECRET_ACCESS_KEY, AWS_REGION, RUNAI_STREAMER_CONCURRENCY (default 16 from a directory,
   * 8 from S3), RUNAI_STREAMER_CHUNK_BYTESIZE (default 2 MiB / 8 MiB). Default process.env.
   */
  weightsEnv?: Readonly<Record<string, string | undefined>>;
  /** Timeout of each weight read (one chunk, one listing page), ms. Default 60000. */
  weightsIoTimeoutMs?: number;
  /** Stops a weight load in progress (the simulator's stop signal); startSimServer then rejects. */
  signal?: AbortSignal;
  /**
   * vLLM --kv-events-config: a JSON string or object with vLLM's fields (enable_kv_cache_events,
   * publisher, endpoint, replay_endpoint, buffer_steps, hwm, max_queue_size, topic). Default none:
   * no events are published.
   */
  kvEventsConfig?: string | Record<string, unknown>;
  /**
   * vLLM --kv-transfer-config: a JSON string or object, {"kv_connector":"InfernodeConnector",
   * "kv_role":"kv_both", "kv_connector_extra_config":{"url":"ikv://host:port","token":"…",
   * "bytesFraction":0.015625,"linkBytesPerS":12.5e9,"timeoutMs":2000,"maxOffloadQueue":65536,"maxOffloadInFlight":4}}
   * (kv-transfer-config.ts). Needs `kvBlockStore`. Default none: no connector.
   */
  kvTransferConfig?: string | Record<string, unknown>;
  /** The block-service client the connector uses (kvcache's BlockClient); closed with the sim. */
  kvBlockStore?: KvBlockStore;
  /** Logger; default silent. */
  log?: Logger;
}

/** SimServerOptions fields that are not plain settings (resolved apart, or passed through). */
type NonSettingKeys =
  | 'faults'
  | 'log'
  | 'modelPath'
  | 'loadFormat'
  | 'weightsEnv'
  | 'weightsIoTimeoutMs'
  | 'signal'
  | 'kvEventsConfig'
  | 'kvTransferConfig'
  | 'kvBlockStore';
const NON_SETTING_KEYS: ReadonlySet<string> = new Set<NonSettingKeys>([
  'faults',
  'log',
  'modelPath',
  'loadFormat',
  'weightsEnv',
  'weightsIoTimeoutMs',
  'signal',
  'kvEventsConfig',
  'kvTransferConfig',
  'kvBlockStore',
]);

/** Default of SimServerOptions.weightsIoTimeoutMs. */
export const SIM_WEIGHTS_IO_TIMEOUT_MS = 60_000;

/** Defaults of SimServerOptions (also the `infernode sim` flag defaults). */
export const SIM_DEFAULTS = {
  port: 0,
  host: '127.0.0.1',
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  profile: DEFAULT_PROFILE,
  speed: 1,
  maxNumSeqs: 256,
  numGpuBlocks: 25_000,
  maxLoras: 1,
  maxLoraRank: 16,
  maxCpuLoras: 1024,
  enableLora: false,
  maxModelLen: 131_072,
  maxNumBatchedTokens: 8192,
} as const;

/** Largest request body accepted, bytes; beyond it the answer is 413. */
export const SIM_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Deepest JSON nesting the simulator parses (400 above), as the gateway's limit: real bodies nest ~6. */
export const SIM_MAX_JSON_DEPTH = 64;
/** Waiting-queue bound; beyond it requests get 503 (vLLM's queue is unbounded). */
export const SIM_MAX_WAITING_REQUESTS = 4096;
/** Most LoRA adapters registered at once by default (--max-cpu-loras). */
export const SIM_MAX_ADAPTERS = SIM_DEFAULTS.maxCpuLoras;
/** KV block size, tokens. */
export const SIM_BLOCK_SIZE_TOKENS = 16;

/** Options with every default filled in and checked. */
export type ResolvedSimOptions = Required<Omit<SimServerOptions, NonSettingKeys>> & {
  readonly hardware: HardwareProfile;
  /** What the engine reads before it serves. */
  readonly weights: WeightLoadPlan;
  /** --kv-events-config, resolved (vLLM's defaults when absent: nothing published). */
  readonly kvEvents: KvEventsConfig;
  /** --kv-transfer-config, resolved; null: no connector. */
  readonly kvTransfer: KvTransferConfig | null;
};

/** Fills defaults and validates; throws one AppError (CONFIG_INVALID) naming every bad option. */
export function resolveSimOptions(options: SimServerOptions): ResolvedSimOptions {
  const o = { ...SIM_DEFAULTS, ...stripUndefined(options) };
  const problems: string[] = [];
  const hardware = HARDWARE_PROFILES.get(o.profile);
  if (hardware === undefined)
    problems.push(
      `profile: unknown "${o.profile}"; valid: ${[...HARDWARE_PROFILES.keys()].join(', ')}`,
    );
  const positive = [
    'speed',
    'maxNumSeqs',
    'numGpuBlocks',
    'maxLoras',
    'maxLoraRank',
    'maxCpuLoras',
    'maxModelLen',
    'maxNumBatchedTokens',
  ] as const;
  for (const key of positive) {
    if (!(o[key] > 0) || !Number.isFinite(o[key]))
      problems.push(`${key}: must be > 0, got ${o[key]}`);
  }
  const ioTimeoutMs = options.weightsIoTimeoutMs ?? SIM_WEIGHTS_IO_TIMEOUT_MS;
  if (!(ioTimeoutMs > 0) || !Number.isFinite(ioTimeoutMs))
    problems.push(`weightsIoTimeoutMs: must be > 0, got ${ioTimeoutMs}`);
  let weights: WeightLoadPlan | undefined;
  try {
    weights = planWeightLoad(
      { modelPath: options.modelPath, loadFormat: options.loadFormat, ioTimeoutMs },
      options.weightsEnv ?? process.env,
    );
  } catch (err) {
    problems.push((err as Error).message);
  }
  let kvEvents: KvEventsConfig = KV_EVENTS_DEFAULTS;
  try {
    if (options.kvEventsConfig !== undefined)
      kvEvents = parseKvEventsConfig(options.kvEventsConfig);
  } catch (err) {
    problems.push((err as Error).message);
  }
  let kvTransfer: KvTransferConfig | null = null;
  try {
    kvTransfer = parseKvTransferConfig(options.kvTransferConfig);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (kvTransfer !== null && options.kvBlockStore === undefined)
    problems.push('kvTransferConfig: needs a block-service client (kvBlockStore)');
  if (problems.length > 0 || hardware === undefined || weights === undefined)
    throw new AppError('CONFIG_INVALID', `invalid simulator options: ${problems.join('; ')}`);
  const maxModelLen = Math.min(o.maxModelLen, o.numGpuBlocks * SIM_BLOCK_SIZE_TOKENS);
  return { ...o, maxModelLen, hardware, weights, kvEvents, kvTransfer };
}

function stripUndefined(options: SimServerOptions): Partial<typeof SIM_DEFAULTS> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v !== undefined && !NON_SETTING_KEYS.has(k)) out[k] = v;
  }
  return out;
}
