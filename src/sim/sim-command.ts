/**
 * `infernode sim`: one vLLM-compatible engine simulator as a process. Prints its URL on stdout,
 * logs to stderr, drains on SIGTERM/SIGINT (health 503, new requests 503, in-flight streams
 * finish within --shutdown-grace-ms) and exits; the exit fault ends the process with its code.
 */
import { defineCommand, type Command } from '../shared/index.js';
import {
  bool,
  createLogger,
  int,
  num,
  runProcess,
  str,
  toError,
  whenAborted,
} from '../shared/index.js';
import { AppError } from '../shared/index.js';
import type { KvBlockStore } from './kv-connector.js';
import { parseKvTransferConfig } from './kv-transfer-config.js';
import { HARDWARE_PROFILES } from './profiles.js';
import { createSimServer } from './sim-server.js';
import { SIM_DEFAULTS, SIM_WEIGHTS_IO_TIMEOUT_MS } from './sim-options.js';
import { LOAD_FORMATS, type LoadFormat } from './weight-load-plan.js';

const spec = {
  port: int(8000, 'TCP port to listen on (0 = any free port)', { min: 0, max: 65535 }),
  host: str(SIM_DEFAULTS.host, 'address to bind'),
  model: str(SIM_DEFAULTS.model, 'served model name (the base model id in /v1/models)'),
  profile: str(SIM_DEFAULTS.profile, 'hardware profile of the analytic timing model', {
    oneOf: [...HARDWARE_PROFILES.keys()],
  }),
  speed: num(SIM_DEFAULTS.speed, 'simulated seconds per wall second (1 = real time)', {
    min: 1e-3,
  }),
  maxNumSeqs: int(SIM_DEFAULTS.maxNumSeqs, 'vLLM --max-num-seqs: requests running at once', {
    min: 1,
  }),
  numGpuBlocks: int(SIM_DEFAULTS.numGpuBlocks, 'KV-cache blocks of 16 tokens', { min: 1 }),
  maxLoras: int(SIM_DEFAULTS.maxLoras, 'vLLM --max-loras: adapters in one batch', { min: 1 }),
  maxLoraRank: int(SIM_DEFAULTS.maxLoraRank, 'vLLM --max-lora-rank', { min: 1 }),
  maxCpuLoras: int(SIM_DEFAULTS.maxCpuLoras, 'vLLM --max-cpu-loras: adapters registered at once', {
    min: 1,
  }),
  enableLora: bool(SIM_DEFAULTS.enableLora, 'vLLM --enable-lora: allow runtime LoRA adapters'),
  maxModelLen: int(SIM_DEFAULTS.maxModelLen, 'vLLM --max-model-len, tokens', { min: 1 }),
  maxNumBatchedTokens: int(
    SIM_DEFAULTS.maxNumBatchedTokens,
    'vLLM --max-num-batched-tokens: chunked-prefill token budget per step',
    { min: 1 },
  ),
  modelPath: str(
    '',
    'the model to load before serving, as vLLM would: a directory or s3://bucket/prefix (empty: dummy weights)',
  ),
  loadFormat: str('auto', 'vLLM --load-format: how the weights are read', {
    oneOf: [...LOAD_FORMATS],
  }),
  weightsIoTimeoutMs: int(SIM_WEIGHTS_IO_TIMEOUT_MS, 'timeout of each weight read, ms', {
    min: 1,
  }),
  kvEventsConfig: str(
    '',
    'vLLM --kv-events-config: JSON, e.g. {"enable_kv_cache_events":true,"publisher":"zmq","endpoint":"tcp://*:5557","replay_endpoint":"tcp://*:5558"} (empty: no KV events)',
  ),
  kvTransferConfig: str(
    '',
    'vLLM --kv-transfer-config: JSON, e.g. {"kv_connector":"InfernodeConnector","kv_role":"kv_both","kv_connector_extra_config":{"url":"ikv://127.0.0.1:7475","token":"…"}} (empty: no KV connector)',
  ),
  slowStartMs: int(0, 'fault: not ready (health and inference 503) for this long, ms', { min: 0 }),
  errorRate: num(0, 'fault: fraction 0–1 of inference requests answered 500', { min: 0, max: 1 }),
  hangRate: num(0, 'fault: fraction 0–1 of inference requests never answered', { min: 0, max: 1 }),
  dropAfterChunks: int(0, 'fault: cut every stream after this many chunks (0 = off)', { min: 0 }),
  exitAfterMs: int(-1, 'fault: exit the process this long after start, ms (-1 = never)', {
    min: -1,
  }),
  exitCode: int(1, 'fault: exit status used by --exit-after-ms', { min: 0, max: 255 }),
  shutdownGraceMs: int(10_000, 'how long in-flight requests may finish after SIGTERM, ms', {
    min: 0,
  }),
};

/** The typed values of `spec` (the spec helpers return the Field union, so ConfigOf widens). */
interface SimCommandConfig {
  readonly port: number;
  readonly host: string;
  readonly kvEventsConfig: string;
  readonly kvTransferConfig: string;
  readonly model: string;
  readonly profile: string;
  readonly speed: number;
  readonly maxNumSeqs: number;
  readonly numGpuBlocks: number;
  readonly maxLoras: number;
  readonly maxLoraRank: number;
  readonly maxCpuLoras: number;
  readonly enableLora: boolean;
  readonly maxModelLen: number;
  readonly maxNumBatchedTokens: number;
  readonly modelPath: string;
  readonly loadFormat: string;
  readonly weightsIoTimeoutMs: number;
  readonly slowStartMs: number;
  readonly errorRate: number;
  readonly hangRate: number;
  readonly dropAfterChunks: number;
  readonly exitAfterMs: number;
  readonly exitCode: number;
  readonly shutdownGraceMs: number;
}

/** What `infernode sim` is given by the composition root that lists it (cli). */
export interface SimCommandDeps {
  /**
   * Opens the block-service client of --kv-transfer-config (kvcache's BlockClient with the
   * config's token). Without it the flag is refused.
   */
  readonly openKvBlockStore?: (token: string) => KvBlockStore;
}

/** The `infernode sim` command, without a KV connector client (see createSimCommand). */
export const simCommand: Command = createSimCommand();

/** The `infernode sim` command with its dependencies. */
export function createSimCommand(deps: SimCommandDeps = {}): Command {
  return defineCommand({
    name: 'sim',
    summary: 'run one vLLM-compatible engine simulator',
    usage:
      'infernode sim --port <n> --model <name> [--profile <name>] [--speed <x>] [--max-num-seqs <n>] ' +
      '[--num-gpu-blocks <n>] [--enable-lora] [--max-loras <n>] [--max-lora-rank <n>] [--max-cpu-loras <n>] ' +
      '[--max-model-len <n>] [--max-num-batched-tokens <n>] [--host <h>] ' +
      '[--model-path <dir|s3://bucket/prefix>] [--load-format auto|safetensors|runai_streamer|dummy] ' +
      "[--kv-events-config '<json>'] [--kv-transfer-config '<json>'] [fault flags]",
    description:
      'Serves vLLM v0.11 endpoints (/v1/chat/completions, /v1/completions, /v1/embeddings, ' +
      '/v1/models, /health, /version, /tokenize, /metrics, /v1/load_lora_adapter, ' +
      '/v1/unload_lora_adapter, /reset_prefix_cache) from a continuous-batching simulation with an analytic ' +
      'timing model. Faults can also be changed at run time with POST /admin/faults. ' +
      'With --model-path it first reads every byte of the model as vLLM would (safetensors from a ' +
      'directory, or the Run:ai streamer from s3:// with AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ' +
      'AWS_SECRET_ACCESS_KEY, AWS_REGION, RUNAI_STREAMER_CONCURRENCY (default 8 from S3, 16 from a ' +
      'directory) and RUNAI_STREAMER_CHUNK_BYTESIZE (default 8 MiB / 2 MiB)), listens only then, ' +
      'and exits 1 with one log line when the model is missing or corrupt; GET /admin/weights ' +
      'reports the bytes and time. With --kv-events-config it publishes vLLM KV events ' +
      '(BlockStored/BlockRemoved/AllBlocksCleared) on a ZeroMQ PUB socket with a replay ROUTER. ' +
      'With --kv-transfer-config (kv_connector "InfernodeConnector") it offloads evicted KV blocks ' +
      "to its node agent's block service and loads a prompt's missing prefix from there when the " +
      'modeled transfer beats recompute (kv_connector_extra_config: url, token, bytesFraction, ' +
      'linkBytesPerS, timeoutMs, maxOffloadQueue, maxOffloadInFlight).',
    envPrefix: 'SIM',
    spec,
    async run({ config, logLevel }) {
      const c = config as unknown as SimCommandConfig;
      const log = createLogger({ level: logLevel, base: { role: 'sim' } });
      // Loading can take minutes: a Ctrl-C or SIGTERM then stops it (runProcess is not yet running).
      const stopLoading = new AbortController();
      const onSignal = (): void => stopLoading.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let server;
      try {
        server = await createSimServer(
          {
            port: c.port,
            host: c.host,
            model: c.model,
            profile: c.profile,
            speed: c.speed,
            maxNumSeqs: c.maxNumSeqs,
            numGpuBlocks: c.numGpuBlocks,
            maxLoras: c.maxLoras,
            maxLoraRank: c.maxLoraRank,
            maxCpuLoras: c.maxCpuLoras,
            enableLora: c.enableLora,
            maxModelLen: c.maxModelLen,
            maxNumBatchedTokens: c.maxNumBatchedTokens,
            ...(c.modelPath === '' ? {} : { modelPath: c.modelPath }),
            loadFormat: c.loadFormat as LoadFormat,
            weightsIoTimeoutMs: c.weightsIoTimeoutMs,
            ...(c.kvEventsConfig === '' ? {} : { kvEventsConfig: c.kvEventsConfig }),
            ...kvTransferOptions(c.kvTransferConfig, deps),
            signal: stopLoading.signal,
            faults: {
              slowStartMs: c.slowStartMs,
              errorRate: c.errorRate,
              hangRate: c.hangRate,
              dropAfterChunks: c.dropAfterChunks,
              exitAfterMs: c.exitAfterMs,
              exitCode: c.exitCode,
            },
            log,
          },
          {
            onFaultExit: (code) => {
              log.flush();
              process.exit(code);
            },
          },
        );
      } catch (err) {
        // vLLM exits non-zero when its model cannot be loaded; say why in one line.
        const e = toError(err);
        log.error(
          { err: e, code: (e as { code?: unknown }).code },
          `engine failed to start: ${e.message}`,
        );
        log.flush();
        return stopLoading.signal.aborted ? 130 : 1;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      process.stdout.write(`${server.url}\n`);
      await runProcess(
        [
          {
            name: 'sim',
            run: async (signal) => {
              await whenAborted(signal);
              await server.drain(c.shutdownGraceMs);
            },
          },
        ],
        { log, shutdownGraceMs: c.shutdownGraceMs + 2000 },
      );
      return 0;
    },
  });
}

/** The connector options of --kv-transfer-config: the config and a client with its token. */
function kvTransferOptions(
  raw: string,
  deps: SimCommandDeps,
): { kvTransferConfig?: string; kvBlockStore?: KvBlockStore } {
  const config = parseKvTransferConfig(raw);
  if (config === null) return {};
  if (deps.openKvBlockStore === undefined)
    throw new AppError('CONFIG_INVALID', '--kv-transfer-config: this build has no block client');
  return { kvTransferConfig: raw, kvBlockStore: deps.openKvBlockStore(config.token) };
}
