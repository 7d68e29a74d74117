/** The agent's configuration spec: every key, its flag, env var and default (see `--help`). */
import { gpuConfigSpec } from '../gpu/index.js';
import { kubeConfigSpec } from '../kube/index.js';
import { bool, int, list, str, type ConfigOf } from '../shared/index.js';
import { weightsConfigSpec } from './weights-config.js';
import { loraConfigSpec } from './lora-config.js';
import { kvConfigSpec } from './kv-config.js';

const positive = { min: 1 };

export const agentConfigSpec = {
  node: str(
    '',
    'the node this agent owns (the downward-API node name on Kubernetes; empty: the host name)',
    {
      env: 'NODE_NAME',
    },
  ),
  discovery: str('static', 'where engines come from: static (the cluster file) or kubernetes', {
    oneOf: ['static', 'kubernetes'],
  }),
  clusterFile: str('examples/local-cluster.yaml', 'the static cluster file (discovery=static)'),
  leaderUrl: str('ws://127.0.0.1:8081/v1/agents', 'the leader’s agent hub WebSocket URL', {
    check: (v) => (/^wss?:\/\/[^/]+/.test(v) ? undefined : 'expected a ws:// or wss:// URL'),
  }),
  leaderStandbyUrls: list(
    [],
    'more agent hub URLs of leader replicas (gateway replicas), tried in turn after leaderUrl when a connection fails: the agent settles on the replica that leads',
    {
      check: (v) =>
        v.every((u) => /^wss?:\/\/[^/]+/.test(u)) ? undefined : 'expected ws:// or wss:// URLs',
    },
  ),
  auth: str(
    'static',
    'how this agent proves its node: static (token or clusterSecret) or kubernetes (projected ServiceAccount token)',
    { oneOf: ['static', 'kubernetes'] },
  ),
  token: str('', 'this node’s agent token `<node>.<mac>` (`infernode agent-token` prints it)', {
    env: 'INFERNODE_AGENT_TOKEN',
  }),
  clusterSecret: str('', 'cluster secret to derive this node’s token from, instead of token', {
    env: 'INFERNODE_CLUSTER_SECRET',
  }),
  serviceAccountTokenFile: str(
    '/var/run/secrets/infernode/token',
    'projected ServiceAccount token, audience infernode (auth=kubernetes); re-read on every connect',
  ),
  leaderCaFile: str('', 'PEM CA bundle that signed the leader’s certificate (wss://)'),
  leaderFingerprint: str(
    '',
    'SHA-256 fingerprint of the leader’s certificate to pin instead of a CA (wss://; hex, colons optional)',
    {
      check: (v) =>
        v === '' || /^[0-9a-f]{64}$/i.test(v.replace(/:/g, ''))
          ? undefined
          : 'expected 64 hex digits',
    },
  ),
  allowInsecure: bool(
    false,
    'allow a plain ws:// leaderUrl to a non-loopback host (the token crosses the network in clear)',
  ),
  api: {
    host: str('127.0.0.1', 'local API listen address (/metrics, /healthz, /v1/gpus, /v1/weights)'),
    port: int(9100, 'local API port', { min: 0, max: 65535 }),
  },
  scrape: {
    intervalMs: int(500, 'how often each engine’s /metrics is scraped, ms', positive),
    timeoutMs: int(1000, 'timeout of one scrape, ms', positive),
    windowMs: int(
      10_000,
      'sliding window for rates and means reported to the leader, ms',
      positive,
    ),
    modelsEveryN: int(
      4,
      'fetch each engine’s /v1/models (loaded adapters) every N scrapes; every scrape while it has adapters or after it restarted',
      positive,
    ),
  },
  reconnect: {
    initialMs: int(250, 'first reconnect delay to the leader, ms (jittered, doubling)', positive),
    maxMs: int(10_000, 'longest reconnect delay, ms', positive),
  },
  nodeCachePath: str(
    '/var/cache/infernode',
    'node cache directory (weights, adapters); its disk is reported',
  ),
  gpu: gpuConfigSpec,
  weights: weightsConfigSpec,
  lora: loraConfigSpec,
  kv: kvConfigSpec,
  kube: {
    namespace: kubeConfigSpec.namespace,
    watchNamespaces: kubeConfigSpec.watchNamespaces,
    requireLabels: kubeConfigSpec.requireLabels,
    requireOwnerKinds: kubeConfigSpec.requireOwnerKinds,
    requestTimeoutMs: kubeConfigSpec.requestTimeoutMs,
    watchTimeoutSeconds: kubeConfigSpec.watchTimeoutSeconds,
  },
  shutdownGraceMs: int(10_000, 'how long to drain on SIGTERM before exiting, ms', positive),
};

export type AgentConfigSpec = typeof agentConfigSpec;

/** The agent's validated configuration. */
export type AgentConfig = ConfigOf<AgentConfigSpec>;
