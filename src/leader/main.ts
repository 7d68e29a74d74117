/**
 * The leader's composition root: builds every adapter and component, wires them, and runs them
 * under one lifecycle. Leader-only parts (gateway, agent hub, health prober) run only while this
 * process holds leadership; losing it exits non-zero so Kubernetes restarts the pod.
 */
import { systemTimers } from '../controllers/index.js';
import { readClusterFile } from '../discovery/adapters/index.js';
import type { CustomResource } from '../discovery/index.js';
import {
  INFERNODE_VERSION,
  createLogger,
  createRegistry,
  runProcess,
  systemClock,
  systemRng,
} from '../shared/index.js';
import { AgentHub } from './agent-hub.js';
import { CommandClient } from './command-client.js';
import { buildGatewayReplicas } from './replica-wiring.js';
import { loadControlTls } from './control-tls.js';
import { registerEventLoopDelayMetrics } from './event-loop-metrics.js';
import type { Leadership } from './election/election.js';
import { registerLeadershipMetrics } from './leadership-metrics.js';
import { LeaderOnlyParts } from './leader-only-parts.js';
import { agentPacer } from './agent-pacer.js';
import { buildAdapters } from './build-adapters.js';
import type { LeaderConfig } from './leader-adapters.js';
import { buildControlServer } from './control-wiring.js';
import { buildGateway } from './gateway-wiring.js';
import { buildGpuRemediation } from './remediation-wiring.js';
import { buildModelAdapters } from './model-adapter-wiring.js';
import { buildRequestHold, declaredAdapterSource } from './request-hold-wiring.js';
import { buildPodAutoscaling } from './autoscaling-wiring.js';
import { buildGpuOptimizer } from './optimizer-wiring.js';
import { buildFleets } from './fleet-wiring.js';
import { buildKvCaches } from './kvcache-wiring.js';
import { buildClusterView } from './cluster-view-wiring.js';
import { buildConsole } from './console-wiring.js';
import { RoutingDecisionLog } from '../console/index.js';

/** Builds and runs the leader until SIGTERM/SIGINT or a fatal error. */
export async function runLeader(
  config: LeaderConfig,
  file: unknown,
  logLevel?: string,
): Promise<number> {
  // A missing or invalid cluster file is an operator's mistake, not a crash: fail before anything
  // listens, with one line naming the file (the CLI prints AppErrors without a stack).
  const staticFile =
    config.discovery === 'static' ? (await readClusterFile(config.clusterFile)).file : undefined;
  const log = createLogger({
    ...(logLevel === undefined ? {} : { level: logLevel }),
    base: { role: 'leader', identity: config.identity, version: INFERNODE_VERSION },
  });
  const registry = createRegistry();
  const clock = systemClock;
  const tls = loadControlTls(config.control.tls);
  const adapters = await buildAdapters(config, file, log, registry, { clock, rng: systemRng });
  const { source, election, admission, nodeOps, watchers, authenticator } = adapters;
  // What the leader knows of its cluster, fed by discovery (store, KV and prefix indexes, routing).
  const view = buildClusterView({ config, adapters, staticFile, log, registry, clock });
  const { store, kvIndex, prefixIndex, routingState, staticScale, scaleGroups } = view;
  registerEventLoopDelayMetrics(registry);
  let leadership: Leadership | undefined;
  registerLeadershipMetrics(registry, () => leadership);
  let leaderSinceMs: number | undefined;
  let otherLeader: string | undefined;
  // The web console's recent routing decisions (issue #17), fed by the gateway's pick.
  const consoleDecisions = new RoutingDecisionLog(clock);
  // The one way controllers act on nodes (DESIGN.md §8b); the hub is its transport.
  const commands = new CommandClient({
    transport: { send: (node, message): boolean => hub.sendTo(node, message) },
    epoch: () => leadership?.epoch,
    rng: systemRng,
    timers: systemTimers,
    log: log.child({ component: 'commands' }),
    registry,
  });
  // PodAutoscalers (issue #15): built before the gateway, whose hold sends them its demand.
  const podAutoscaling = buildPodAutoscaling({
    config,
    adapters,
    staticScale,
    store,
    commands,
    log,
    registry,
    clock,
    rng: systemRng,
    timers: systemTimers,
  });
  // The GPU optimizer (issue #16): fed by the gateway, served by the control server.
  const optimizer = buildGpuOptimizer({
    config: config.optimizer,
    clock,
    log: log.child({ component: 'gpu-optimizer' }),
    registry,
  });
  // Gateway replicas (issue #18): followers serve the gateway from the leader's state feed.
  const replicas = buildGatewayReplicas({
    ...{ config, store, prefixIndex, kvIndex: kvIndex.index, kvHubOption: kvIndex.hubOption },
    sendToAgent: (node, message) => hub.sendTo(node, message),
    leading: () => leadership && { leader: config.identity, epoch: leadership.epoch },
    otherLeader: () => otherLeader,
    ...{ log, registry, clock, rng: systemRng },
  });
  const hub: AgentHub = new AgentHub({
    commands,
    store,
    authenticator,
    log: log.child({ component: 'agent-hub' }),
    registry,
    identity: () =>
      leadership === undefined ? undefined : { leader: config.identity, epoch: leadership.epoch },
    pingIntervalMs: config.agents.pingIntervalMs,
    kvBinary: config.agents.kvBinary,
    kv: replicas.kvHubOption,
  });
  const { gateway, health, prober } = buildGateway({
    config,
    store,
    admission,
    routing: {
      rng: systemRng,
      state: routingState,
      prefixIndex: replicas.prefixIndex,
      blockIndex: kvIndex.index,
      onPicked: consoleDecisions.record,
      maxScoredCandidates: config.routing.maxScoredCandidates,
    },
    hold: buildRequestHold({
      store,
      registry,
      log: log.child({ component: 'request-hold' }),
      settings: config.gateway,
      sources: [
        declaredAdapterSource(() => modelAdapters.declaredAdapters()),
        () => podAutoscaling?.expectedModels() ?? [],
      ],
      onDemand: (model, held) => podAutoscaling?.demand(model, held) ?? false,
      ...(staticScale === undefined
        ? {}
        : { scaleGroups: { current: scaleGroups, client: staticScale } }),
    }),
    onFinished: optimizer?.recordFinished,
    registry,
    clock,
    log,
  });
  const resourcesWithStatuses = (): readonly CustomResource[] =>
    adapters.staticStatuses?.withStatuses(source.current().resources) ?? source.current().resources;
  const webConsole = buildConsole({
    settings: config.console,
    token: config.control.token,
    store,
    decisions: consoleDecisions,
    resources: resourcesWithStatuses,
    kvSummary: () => kvIndex.index.summary(256),
    ejected: () => health.ejected(),
    leader: () => ({
      identity: config.identity,
      epoch: leadership?.epoch ?? null,
      version: INFERNODE_VERSION,
      sinceMs: leaderSinceMs ?? null,
    }),
    isLeader: () => leadership !== undefined,
    otherLeader: () => otherLeader,
    clock,
    log: log.child({ component: 'console' }),
    registry,
  });
  let synced = false;
  void source.synced.then(() => (synced = true));
  const control = buildControlServer({
    config,
    commands,
    store,
    registry,
    log,
    epoch: () => leadership?.epoch,
    ejected: () => health.ejected(),
    serves: {
      hub,
      isReady: () => synced && (leadership !== undefined || replicas.fresh()) && !gateway.draining,
      kv: kvIndex.view,
      ...(optimizer === undefined ? {} : { optimizer }),
      console: webConsole,
      replicas: replicas.feed,
      resources: resourcesWithStatuses,
      ...(tls === undefined ? {} : { tls }),
    },
  });
  const remediation = buildGpuRemediation({
    config,
    store,
    nodeOps,
    consoleEvents: webConsole.feed.events,
    drainEndpoint: (id, ms) => gateway.drainEndpoint(id, ms),
    log,
    registry,
    clock,
    rng: systemRng,
    timers: systemTimers,
  });
  // The decision parts' shared roots: adapter placement, fleets, KV caches.
  const roots = { config, adapters, log, registry, clock, rng: systemRng, timers: systemTimers };
  const modelAdapters = buildModelAdapters({ ...roots, store, commands });
  // RayClusterFleets (issue #16): Kubernetes mode only.
  const fleets = buildFleets(roots);
  // KVCache resources (issue #14): each node's L1 store settings, usage in the status.
  const kvCaches = buildKvCaches({
    ...roots,
    store,
    commands,
    reportOf: (node) => kvIndex.index.storeOf(node),
  });
  const leaderOnly = new LeaderOnlyParts(
    replicas.election ?? election,
    [
      hub,
      agentPacer({
        pace: (p) => hub.pace(p),
        messageBusyMs: () => hub.takeMessageBusyMs(),
        reportGap: (ms) => store.allowReportGap(ms),
        registry,
        log: log.child({ component: 'pacer' }),
      }),
      remediation,
      modelAdapters,
      kvCaches,
      ...(podAutoscaling ? [podAutoscaling] : []),
      ...(optimizer ? [optimizer] : []),
      ...fleets,
      webConsole.runnable,
    ],
    log,
    (l) => {
      leadership = l;
      if (l !== undefined) replicas.becameLeader();
      leaderSinceMs = l === undefined ? undefined : clock.now();
    },
    (identity) => (otherLeader = identity),
  );
  return runProcess(
    [source, ...watchers, control, gateway, prober, replicas.runnable, leaderOnly],
    {
      log,
      shutdownGraceMs: config.shutdownGraceMs,
    },
  );
}
