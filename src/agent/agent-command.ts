import { hostname } from 'node:os';
import { defineCommand } from '../shared/index.js';
import { agentAuthIssues } from './agent-auth-config.js';
import { agentConfigSpec } from './agent-config.js';
import { runAgent } from './main.js';

/** `infernode agent`: the node agent as a CLI command (the CLI only composes it). */
export const agentCommand = defineCommand({
  name: 'agent',
  summary: 'run a node agent: watches the node’s engines and GPUs, reports to the leader',
  usage: 'infernode agent --node <name> [--leader-url ws://host:8081/v1/agents] [--api-port <n>]',
  description:
    'Scrapes every engine of its node, reports to the leader over WebSocket (its per-node token from INFERNODE_AGENT_TOKEN, derived from INFERNODE_CLUSTER_SECRET, or its ServiceAccount token with --auth kubernetes), and serves /metrics, /healthz, /readyz and /v1/engines on --api-port.',
  envPrefix: 'AGENT',
  spec: agentConfigSpec,
  validate: (config) => agentAuthIssues({ ...config, node: config.node || hostname() }),
  run: ({ config, logLevel }) =>
    runAgent({ ...config, node: config.node || hostname() }, { logLevel }),
});
