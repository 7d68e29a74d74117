import { defineCommand } from '../shared/index.js';
import { deriveAgentToken } from '../protocol/index.js';
import { str } from '../shared/index.js';

/**
 * `infernode agent-token --node X`: prints node X's agent token, derived from the cluster secret
 * in INFERNODE_CLUSTER_SECRET, so an operator can hand each node only its own token.
 */
export const agentTokenCommand = defineCommand({
  name: 'agent-token',
  summary: 'print a node’s agent token, derived from the cluster secret',
  usage: 'INFERNODE_CLUSTER_SECRET=… infernode agent-token --node <name>',
  description:
    'Prints <node>.<mac>, the token the agent of that node presents (INFERNODE_AGENT_TOKEN). It is valid for that node only.',
  envPrefix: 'AGENT_TOKEN',
  spec: {
    node: str('', 'the node the token is for (required)', {
      check: (v) => (v === '' ? 'required' : undefined),
    }),
    secret: str('', 'the cluster secret (the leader’s agents.secret)', {
      env: 'INFERNODE_CLUSTER_SECRET',
      check: (v) => (v.length < 16 ? 'must be at least 16 characters' : undefined),
    }),
  },
  run({ config }) {
    process.stdout.write(`${deriveAgentToken(config.secret, config.node)}\n`);
    return Promise.resolve(0);
  },
});
