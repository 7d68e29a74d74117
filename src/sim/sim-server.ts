/**
 * The simulator's HTTP server (node:http, no framework): builds the engine core, loop, metrics
 * registry, LoRA registry and fault state for one instance, and routes requests to handlers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  Registry,
  closeServer,
  listen,
  silentLogger,
  systemClock,
  toError,
} from '../shared/index.js';
import { EngineCore } from './engine-core.js';
import { EngineLoop, type TokenSink } from './engine-loop.js';
import { FaultController } from './fault-controller.js';
import type { SimFaults } from './faults.js';
import { LoraRegistry } from './lora-registry.js';
import { KvConnector } from './kv-connector.js';
import { KvConnectorMetrics } from './kv-connector-metrics.js';
import { KvEventRecorder } from './kv-event-recorder.js';
import { fanOutKvCacheEvents } from './kv-event-fan-out.js';
import { startKvEventPublisher } from './kv-event-publisher.js';
import { publishesKvEvents } from './kv-events-config.js';
import { vllmError } from './openai-shapes.js';
import { sendError, type SimContext } from './sim-context.js';
import { dispatch } from './sim-router.js';
import { SimMetrics } from './sim-metrics.js';
import {
  SIM_BLOCK_SIZE_TOKENS,
  SIM_DEFAULTS,
  SIM_MAX_WAITING_REQUESTS,
  resolveSimOptions,
  type SimServerOptions,
} from './sim-options.js';
import { loadWeights, type WeightLoadReport } from './weight-loader.js';

/** Bound on KV events between two engine steps (a step touches far fewer blocks). */
const KV_RECORDER_MAX_EVENTS = 1_000_000;

/** A running simulator. */
export interface SimServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** What the engine read before it began to listen (also at GET /admin/weights). */
  readonly weights: WeightLoadReport;
  /** The KV event sockets (--kv-events-config), or null when events are off. */
  readonly kvEvents: { readonly endpoint: string; readonly replayEndpoint: string | null } | null;
  /** Merges fault settings (same as `POST /admin/faults`). */
  setFaults(f: Partial<SimFaults>): void;
  /** Stops at once: in-flight requests are cut. Idempotent. */
  close(): Promise<void>;
}

/** Process-level hooks used by `infernode sim`; not part of the public API. */
export interface SimServerHooks {
  /** What the exit fault does; default: kill the server in-process. */
  readonly onFaultExit?: (code: number) => void;
}

/** A SimServer that can also drain gracefully (for `infernode sim` under runProcess). */
export interface DrainableSimServer extends SimServer {
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts them. */
  drain(graceMs: number): Promise<void>;
}

/**
 * Starts a vLLM-compatible engine simulator; resolves once it listens. As vLLM does, it first
 * loads the model's weights (SimServerOptions.modelPath) and opens its port only then; a load
 * that fails (missing path, no safetensors, a corrupt header, a source error, the stop signal)
 * rejects with the loader's AppError and nothing listens.
 */
export function startSimServer(options: SimServerOptions): Promise<SimServer> {
  return createSimServer(options, {});
}

/** startSimServer with process hooks and a drain method. */
export async function createSimServer(
  options: SimServerOptions,
  hooks: SimServerHooks,
): Promise<DrainableSimServer> {
  const resolved = resolveSimOptions(options);
  const log = options.log ?? silentLogger();
  if (resolved.maxModelLen < (options.maxModelLen ?? SIM_DEFAULTS.maxModelLen))
    log.warn(
      { maxModelLen: resolved.maxModelLen, numGpuBlocks: resolved.numGpuBlocks },
      'max_model_len clamped to the KV-cache capacity',
    );
  const weights = await loadWeights(resolved.weights, {
    log,
    clock: systemClock,
    stop: options.signal ?? new AbortController().signal,
  });
  const kvRecorder = publishesKvEvents(resolved.kvEvents)
    ? new KvEventRecorder(SIM_BLOCK_SIZE_TOKENS, KV_RECORDER_MAX_EVENTS)
    : undefined;
  const kvPublisher =
    kvRecorder === undefined ? null : await startKvEventPublisher(resolved.kvEvents, log);
  const registry = new Registry();
  // The connector is told of computed blocks through the same sink as the KV events; it needs the
  // pool, so it is attached once the core exists.
  const saves: { connector?: KvConnector } = {};
  const core = new EngineCore<TokenSink>(
    {
      maxNumSeqs: resolved.maxNumSeqs,
      maxNumBatchedTokens: resolved.maxNumBatchedTokens,
      numGpuBlocks: resolved.numGpuBlocks,
      blockSizeTokens: SIM_BLOCK_SIZE_TOKENS,
      maxLoras: resolved.enableLora ? resolved.maxLoras : Number.MAX_SAFE_INTEGER,
      maxWaitingRequests: SIM_MAX_WAITING_REQUESTS,
    },
    resolved.hardware,
    resolved.kvTransfer === null ? kvRecorder : fanOutKvCacheEvents(kvRecorder, saves),
  );
  const kvConnector =
    resolved.kvTransfer === null || options.kvBlockStore === undefined
      ? null
      : new KvConnector({
          config: resolved.kvTransfer,
          store: options.kvBlockStore,
          profile: resolved.hardware,
          pool: core.pool,
          blockSizeTokens: SIM_BLOCK_SIZE_TOKENS,
          metrics: new KvConnectorMetrics(registry, resolved.model),
          speed: resolved.speed,
          log,
          clock: systemClock,
          events: kvRecorder,
        });
  if (kvConnector !== null) saves.connector = kvConnector;
  const metrics = new SimMetrics(registry, core, {
    modelName: resolved.model,
    maxModelLen: resolved.maxModelLen,
    blockSizeTokens: SIM_BLOCK_SIZE_TOKENS,
    numGpuBlocks: resolved.numGpuBlocks,
    maxLoras: resolved.enableLora ? resolved.maxLoras : null,
  });
  // One batch per engine step, as vLLM publishes (sent when the step is delivered).
  const publishKvEvents = (): void => {
    if (kvRecorder !== undefined) kvPublisher?.publish(kvRecorder.take());
  };
  const loop = new EngineLoop(
    core,
    resolved.speed,
    (step) => {
      metrics.onStep(step);
      publishKvEvents();
    },
    kvConnector === null ? undefined : (c) => kvConnector.enterLanded(c),
  );
  const server: Server = createServer();
  let kill = (): void => undefined;
  const faults = new FaultController({}, (code) => {
    log.warn({ code }, 'exit fault: engine dies');
    if (hooks.onFaultExit !== undefined) hooks.onFaultExit(code);
    else kill();
  });
  const ctx: SimContext = {
    options: resolved,
    log,
    loop,
    registry,
    metrics,
    lora: new LoraRegistry({
      enabled: resolved.enableLora,
      maxLoraRank: resolved.maxLoraRank,
      maxAdapters: resolved.maxCpuLoras,
    }),
    faults,
    createdS: Math.floor(Date.now() / 1000),
    hung: new Set(),
    isDraining: false,
    weights,
    resetPrefixCache: () => {
      const done = core.pool.resetPrefixCache();
      publishKvEvents();
      return done;
    },
    kvConnector,
  };
  faults.set({ ...(options.faults ?? {}) });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    dispatch(ctx, req, res).catch((err: unknown) => {
      log.error({ err: toError(err) }, 'simulator handler failed');
      if (!res.headersSent)
        sendError(res, vllmError(500, 'InternalServerError', toError(err).message));
      else res.destroy();
    });
  });
  const port = await listen(server, resolved.port, resolved.host);
  let stopping: Promise<void> | undefined;
  const drain = (graceMs: number): Promise<void> => {
    stopping ??= (async () => {
      ctx.isDraining = true;
      for (const res of ctx.hung) res.destroy();
      // Keep-alive sockets go idle as their last response ends: close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 25);
      await closeServer(server, graceMs);
      clearInterval(sweep);
      loop.close();
      faults.close();
      kvConnector?.close();
      await kvPublisher?.close();
    })();
    return stopping;
  };
  kill = () => {
    ctx.isDraining = true;
    loop.close();
    server.closeAllConnections();
    server.close();
    kvConnector?.close();
    void kvPublisher?.close();
  };
  log.info(
    { port, model: resolved.model, profile: resolved.profile, speed: resolved.speed },
    'simulator listening',
  );
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  return {
    url: `http://${host}:${port}`,
    port,
    weights,
    kvEvents:
      kvPublisher === null
        ? null
        : { endpoint: kvPublisher.endpoint, replayEndpoint: kvPublisher.replayEndpoint },
    setFaults: (f) => faults.set(f),
    close: () => drain(0),
    drain,
  };
}
