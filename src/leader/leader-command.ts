import { hostname } from 'node:os';
import { defineCommand } from '../cli/index.js';
import { electionIssues } from './election/index.js';
import { leaderConfigSpec } from './leader-config.js';
import { runLeader } from './main.js';

export const leaderCommand = defineCommand({
  name: 'leader',
  summary: 'run the leader: OpenAI-compatible gateway, agent hub, cluster decisions',
  usage: 'infernode leader [--cluster-file <file>] [--gateway-port <n>] [--control-port <n>]',
  description:
    'Serves the gateway on --gateway-port and the agent hub (WebSocket /v1/agents), /metrics, /healthz and /readyz on --control-port. Agents authenticate with INFERNODE_AGENT_TOKEN.',
  envPrefix: 'LEADER',
  spec: leaderConfigSpec,
  validate: (config) => electionIssues(config.kube.election),
  run: ({ config, file }) =>
    runLeader({ ...config, identity: config.identity || hostname() }, file),
});
