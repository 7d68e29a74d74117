import { hostname } from 'node:os';
import { defineCommand } from '../shared/index.js';
import { agentAuthIssues } from './agent-auth-config.js';
import { electionIssues } from './election/index.js';
import { leaderConfigSpec } from './leader-config.js';
import { runLeader } from './main.js';

/** `infernode leader`: the leader process as a CLI command (the CLI only composes it). */
export const leaderCommand = defineCommand({
  name: 'leader',
  summary: 'run the leader: OpenAI-compatible gateway, agent hub, cluster decisions',
  usage: 'infernode leader [--cluster-file <file>] [--gateway-port <n>] [--control-port <n>]',
  description:
    'Serves the gateway on --gateway-port and the agent hub (WebSocket /v1/agents), /metrics, /healthz and /readyz on --control-port. Agents authenticate with per-node tokens derived from INFERNODE_CLUSTER_SECRET (agents.auth=static) or their ServiceAccount token (agents.auth=kubernetes); control.tls.* serves https/wss.',
  envPrefix: 'LEADER',
  spec: leaderConfigSpec,
  validate: (config) => [...electionIssues(config.kube.election), ...agentAuthIssues(config)],
  run: ({ config, file, logLevel }) =>
    runLeader({ ...config, identity: config.identity || hostname() }, file, logLevel),
});
