/**
 * The agent's composition root: discovery of the node's engines, the engine watcher, the client
 * to the leader, the node weight cache and the local API, under one lifecycle. The agent keeps scraping and
 * serving /metrics while the leader is away.
 */
import { type ClusterSource } from '../discovery/index.js';
import { StaticClusterSource, readClusterFile } from '../discovery/adapters/index.js';
import {
  INFERNODE_VERSION,
  createLogger,
  createRegistry,
  runProcess,
  systemClock,
  type Logger,
} from '../shared/index.js';
import type { AgentConfig } from './agent-config.js';
import { AgentApi } from './agent-api.js';
import { AgentMetrics } from './agent-metrics.js';
import { EngineWatcher } from './engine-watcher.js';
import { engineCacheLossListener } from './kv-engine-restarts.js';
import { createKvEventsWiring } from './kv-events-wiring.js';
import { registerKvEventsMetrics } from './kv-events-metrics.js';
import { fanOutKvChannel } from './kv-channel.js';
import { systemTimers } from '../controllers/index.js';
import { buildLeaderClient } from './leader-client-wiring.js';
import { createGpuMonitor } from './gpu-monitor-factory.js';
import { configuredSources, createWeights } from './weights-wiring.js';
import { weightsCommandHandlers } from './weights-commands.js';
import { createKv } from './kv-wiring.js';
import { kvConfigureHandler } from './kv-configure.js';
import { CommandExecutor } from './command-executor.js';
import { CommandMetrics } from './command-metrics.js';
import { DrainSet, engineDrainHandler } from './engine-drain.js';
import { LoraManager } from './lora-manager.js';
import { EngineLoraIds } from './engine-lora-ids.js';
import { loraCommandHandlers } from './lora-commands.js';

export type { AgentConfig } from './agent-config.js';

/** What the CLI (or a test) hands the agent besides its config. */
export interface AgentRoots {
  /** Discovery to use instead of the configured one. */
  readonly makeSource?: (log: Logger) => ClusterSource;
  /** Log level, read once by the CLI from INFERNODE_LOG_LEVEL. */
  readonly logLevel?: string;
}

/** Builds and runs the agent until SIGTERM/SIGINT or a fatal error. */
export async function runAgent(config: AgentConfig, roots: AgentRoots = {}): Promise<number> {
  const { makeSource, logLevel } = roots;
  // Fail before anything starts, with one line naming the file, when the cluster file is unusable.
  if (makeSource === undefined && config.discovery === 'static')
    await readClusterFile(config.clusterFile);
  const log = createLogger({
    ...(logLevel === undefined ? {} : { level: logLevel }),
    base: { role: 'agent', node: config.node, version: INFERNODE_VERSION },
  });
  const registry = createRegistry();
  const metrics = new AgentMetrics(registry, config.node);
  // The Kubernetes client is loaded only when discovery needs it (~0.7 s and ~70 MiB).
  const source =
    makeSource?.(log) ??
    (config.discovery === 'kubernetes'
      ? (await import('./kube-source.js')).ownKubeSource(config, log, registry)
      : undefined) ??
    new StaticClusterSource({
      path: config.clusterFile,
      node: config.node,
      log: log.child({ component: 'discovery' }),
    });
  const watcher = new EngineWatcher({
    source,
    clock: systemClock,
    log: log.child({ component: 'engine-watcher' }),
    metrics,
    ...config.scrape,
    // A restarted engine has lost its adapters: their files must not stay pinned for it.
    onAdaptersLost: (id, adapters) => loras.forgetLost(id, adapters),
  });
  const weights = await createWeights({
    config,
    clock: systemClock,
    log,
    registry,
  });
  // The node's KV block service and L2 (issue #14); the KV reporter's sink joins it here.
  // Engines' KV events → the reporter, which also batches the L1 store's changes to the leader.
  const loraIds = new EngineLoraIds({ reports: () => watcher.reports() });
  const kvEvents = createKvEventsWiring({
    source,
    node: config.node,
    log,
    timers: systemTimers,
    loraIds,
  });
  const kv = await createKv({ config, registry, log, sink: kvEvents.reporter });
  registerKvEventsMetrics(
    registry,
    kvEvents.reporter.stats,
    () => kvEvents.stats(),
    () => loraIds.stats(),
  );
  const loras = new LoraManager({
    cache: weights.cache,
    engines: () => source.current().endpoints,
    reports: () => watcher.reports(),
    sourcesFor: (credentials) => configuredSources(config.weights, credentials),
    config: config.lora,
    clock: systemClock,
    onEngineChanged: (id) => watcher.refreshModels(id),
    loraIds,
  });
  // Adapter files whose freeing waited for fresh engine listings are checked after each scrape.
  watcher.onCycle(() => void loras.sweep());
  // The leader's commands (DESIGN.md §8b). Each capability registers its kinds here.
  const drains = new DrainSet();
  const publishEngines = (): void => leaderClient.updateEngines(drains.mark(watcher.reports()));
  const commands = new CommandExecutor({
    handlers: [
      engineDrainHandler({
        drains,
        engines: () => watcher.reports(),
        onCycle: (listener) => watcher.onCycle(listener),
        publish: publishEngines,
      }),
      ...weightsCommandHandlers({ cache: weights.cache }),
      ...loraCommandHandlers({ manager: loras, concurrency: config.lora.concurrency }),
      ...(kv === undefined ? [] : [kvConfigureHandler(kv.control)]),
    ],
    clock: systemClock,
    log: log.child({ component: 'commands' }),
    metrics: new CommandMetrics(registry),
  });
  const leaderClient = buildLeaderClient({
    config,
    log,
    metrics,
    commands,
    kv:
      kv === undefined
        ? fanOutKvChannel(kvEvents.reporter)
        : fanOutKvChannel(kvEvents.reporter, kv.channel),
  });
  watcher.onCycle((reports) => leaderClient.updateEngines(drains.mark(reports)));
  // A restarted or downed engine's GPU KV blocks leave the leader's index at once. One path:
  // this listener sees both a counter reset and a ready → not-ready turn (the subscriber also
  // tells a restart by itself from its batches, kv-event-sequence.ts, once the new engine publishes).
  watcher.onCycle(engineCacheLossListener((id) => kvEvents.engineRestarted(id)));
  const gpus = await createGpuMonitor({
    gpuSection: config.gpu,
    node: config.node,
    cachePath: config.nodeCachePath,
    clock: systemClock,
    log,
    registry,
    onGpus: (summary, urgent) => leaderClient.updateGpus(summary, urgent),
  });
  let synced = false;
  void source.synced.then(() => (synced = true));
  const api = new AgentApi({
    host: config.api.host,
    port: config.api.port,
    registry,
    log: log.child({ component: 'api' }),
    isReady: () => synced,
    apiToken: config.weights.apiToken,
    postRoutes: weights.postRoutes,
    jsonRoutes: {
      ...weights.jsonRoutes,
      '/v1/gpus': () => gpus.report(),
      '/v1/lora': () => ({
        adapters: loras.holdings().map((h) => ({ ...h, engines: [...h.engines] })),
      }),
      '/v1/engines': () => ({
        node: config.node,
        leader: leaderClient.leader ?? null,
        connected: leaderClient.connected,
        engines: drains.mark(watcher.reports()),
      }),
    },
  });
  return runProcess(
    [
      source,
      watcher,
      gpus,
      commands,
      leaderClient,
      kvEvents.part,
      ...weights.parts,
      ...(kv?.parts ?? []),
      api,
    ],
    {
      log,
      shutdownGraceMs: config.shutdownGraceMs,
    },
  );
}
