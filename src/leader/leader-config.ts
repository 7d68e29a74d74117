/** The leader's configuration spec: every key, its flag, env var and default (see `--help`). */
import { kubeConfigSpec } from '../kube/index.js';
import { routingConfigSpec } from '../routing/index.js';
import { trafficConfigSpec } from '../traffic/index.js';
import { bool, int, list, str } from '../shared/index.js';
import { replicaConfigSpec } from './replica-config.js';

const positive = { min: 1 };
const port = { min: 0, max: 65535 };

/**
 * The leader's configuration: every key with its default, flag, environment variable and help
 * (README tables are generated from it).
 */
export const leaderConfigSpec = {
  identity: str(
    '',
    'this leader candidate’s identity (the pod name on Kubernetes; empty: the host name)',
    {
      env: 'POD_NAME',
    },
  ),
  discovery: str('static', 'where engines come from: static (the cluster file) or kubernetes', {
    oneOf: ['static', 'kubernetes'],
  }),
  clusterFile: str('examples/local-cluster.yaml', 'the static cluster file (discovery=static)'),
  gateway: {
    host: str('127.0.0.1', 'gateway listen address'),
    port: int(8080, 'gateway port (OpenAI-compatible API)', port),
    maxBodyBytes: int(
      8 * 1024 * 1024,
      'largest request body accepted, bytes (413 above)',
      positive,
    ),
    retryAfterSeconds: int(
      1,
      'Retry-After sent with 503 when no engine is ready, seconds',
      positive,
    ),
    maxConnections: int(
      4096,
      'open client connections per gateway process; requests on connections past it get 503',
      positive,
    ),
    maxInFlightBodyBytes: int(
      256 * 1024 * 1024,
      'request-body bytes all in-flight requests may hold together, bytes (503 + Retry-After above)',
      positive,
    ),
    bodyTimeoutMs: int(10_000, 'a request body must arrive within this, ms (408 after)', positive),
    headersTimeoutMs: int(
      10_000,
      'request headers must arrive within this, ms (408 after)',
      positive,
    ),
    holdTimeoutMs: int(
      60_000,
      'a request for an expected model with no ready engine (scaling from zero, adapter loading) waits this long before a 503 with Retry-After, ms',
      positive,
    ),
    maxHeldRequests: int(
      1000,
      'requests held at once for models with no ready engine yet, all models together; more get 503 at once',
      positive,
    ),
    allowAnonymous: bool(
      false,
      'discovery=kubernetes: serve requests without API keys when none are configured (else 401 until keys arrive from the Secret or the config file)',
    ),
  },
  upstream: {
    connectTimeoutMs: int(2000, 'TCP connect timeout to an engine, ms', positive),
    firstByteTimeoutMs: int(120_000, 'time to the engine’s response headers, ms', positive),
    streamIdleTimeoutMs: int(30_000, 'longest gap between two response chunks, ms', positive),
    maxSocketsPerEngine: int(1024, 'pooled keep-alive connections per engine', positive),
  },
  passiveHealth: {
    consecutiveFailures: int(
      3,
      'consecutive connect failures or timeouts that eject an engine',
      positive,
    ),
    baseEjectionMs: int(5000, 'first ejection period, ms (doubles per ejection)', positive),
    maxEjectionMs: int(60_000, 'longest ejection period, ms', positive),
  },
  control: {
    host: str('127.0.0.1', 'control listen address (agent hub, /metrics, /healthz)'),
    port: int(8081, 'control port', port),
    token: str(
      '',
      'bearer token the control port asks of mutating routes (weights prefetch); without it they are allowed only on a loopback control.host',
      { env: 'INFERNODE_LEADER_CONTROL_TOKEN' },
    ),
    tls: {
      certFile: str(
        '',
        'PEM certificate (chain) of the control port; with keyFile it serves https:// and wss://',
      ),
      keyFile: str('', 'PEM private key of control.tls.certFile'),
    },
  },
  agents: {
    auth: str(
      'static',
      'how agents prove their node: static (per-node tokens derived from agents.secret) or kubernetes (ServiceAccount token + TokenReview)',
      { oneOf: ['static', 'kubernetes'] },
    ),
    secret: str('', 'cluster secret the per-node agent tokens derive from (agents.auth=static)', {
      env: 'INFERNODE_CLUSTER_SECRET',
    }),
    audience: str('infernode', 'audience agents’ ServiceAccount tokens must carry (kubernetes)'),
    serviceAccount: str(
      'system:serviceaccount:infernode-system:infernode-agent',
      'username agents’ ServiceAccount tokens must belong to (kubernetes)',
    ),
    reviewCacheMs: int(
      60_000,
      'how long an accepted agent token is trusted without a new TokenReview, ms',
      positive,
    ),
    reviewCacheMax: int(10_000, 'most accepted agent tokens remembered', positive),
    allowInsecure: bool(
      false,
      'serve the agent hub as plain ws:// on a non-loopback control.host (tokens cross the network in clear)',
    ),
    staleAfterMs: int(3000, 'an agent report older than this is stale, ms', positive),
    forgetAfterMs: int(
      600_000,
      'a node gone from discovery whose agent has been disconnected this long is forgotten, ms',
      positive,
    ),
    maxUndiscoveredNodes: int(
      256,
      'most nodes unknown to discovery (e.g. not listed yet) the leader keeps a record of; a hello past it is refused',
      positive,
    ),
    pingIntervalMs: int(
      1000,
      'heartbeat period; 3 missed pongs mean the agent is lost, ms',
      positive,
    ),
    kvBinary: bool(
      true,
      'offer agents binary `kv` frames (kv-binary) in welcome; off: every agent sends its KV batches as JSON',
    ),
  },
  gpuRemediation: {
    nodeOps: str(
      'auto',
      'where node taints, Events and conditions go: kubernetes, memory (log only) or auto (kubernetes when discovery is)',
      {
        oneOf: ['auto', 'kubernetes', 'memory'],
      },
    ),
    drainTimeoutMs: int(
      30_000,
      'requests running on a failed GPU’s engines may finish within this, ms',
      positive,
    ),
  },
  controllers: {
    maxQueuedKeys: int(
      10_000,
      'most keys a controller’s work queue holds (more wait for the next resync)',
      positive,
    ),
    resyncIntervalMs: int(
      60_000,
      'every key is reconciled again this often even without a change, ms (0: off)',
      { min: 0 },
    ),
    reconcileTimeoutMs: int(60_000, 'one reconcile’s signal aborts after this, ms', positive),
    backoffInitialMs: int(1000, 'first retry delay after a failed reconcile, ms', positive),
    backoffMaxMs: int(30_000, 'longest retry delay after failed reconciles, ms', positive),
  },
  autoscaling: {
    prometheusUrl: str(
      '',
      'base URL of the Prometheus HTTP API that PodAutoscaler Prometheus sources query (empty: those sources fail)',
    ),
    sampleIntervalMs: int(
      1000,
      'how often every PodAutoscaler metric source is sampled into its window, ms',
      positive,
    ),
    metricTimeoutMs: int(
      5000,
      'bound of one remote metric read (pod, external, Prometheus), ms',
      positive,
    ),
    resyncIntervalMs: int(
      10_000,
      'every PodAutoscaler is reconciled (decides its scale) this often, ms',
      positive,
    ),
  },
  optimizer: {
    deployments: list(
      [],
      'deployments the GPU optimizer sizes, each namespace/name=model@GPU[:minReplicas] (empty: optimizer off); it serves vllm:deployment_replicas at /v1/optimizer/metrics/<namespace>/<name>',
    ),
    profilesDir: str(
      'deploy/examples/gpu-profiles',
      'directory of GPU profile files (*.json, docs/gpu-profiles.md), re-read every round',
    ),
    intervalMs: int(10_000, 'how often the optimizer recomputes its recommendations, ms', positive),
    windowS: int(240, 'seconds of the gateway request log each round clusters', positive),
    timeBudgetMs: int(
      1000,
      'time budget of one ILP solve, ms (past it the greedy allocation is used)',
      positive,
    ),
    logCapacity: int(
      100_000,
      'finished requests the optimizer request log holds at most',
      positive,
    ),
  },
  console: {
    maxStreams: int(32, 'web console event streams open at once (503 past it)', positive),
    maxBufferedBytes: int(
      1024 * 1024,
      'unsent bytes one console stream may hold before it is dropped (a slow tab), bytes',
      positive,
    ),
    sampleIntervalMs: int(
      5000,
      'how often the console samples each engine for its charts, ms',
      positive,
    ),
    seriesWindowMs: int(600_000, 'how far back the console charts go, ms', positive),
    keepAliveMs: int(
      15_000,
      'a console stream with nothing to send gets a keep-alive comment this often, ms',
      positive,
    ),
    leaderUrl: str(
      '',
      'the leader’s control URL a follower redirects console requests to, {identity} standing for the leader’s identity (e.g. http://{identity}.infernode-leader:8081); empty: followers answer 503',
    ),
  },
  replicas: replicaConfigSpec,
  routing: routingConfigSpec,
  traffic: trafficConfigSpec,
  kube: kubeConfigSpec,
  shutdownGraceMs: int(30_000, 'how long to drain on SIGTERM before exiting, ms', positive),
};

/** The leader's spec type, from which LeaderConfig is derived. */
export type LeaderConfigSpec = typeof leaderConfigSpec;
