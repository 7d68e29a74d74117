export { agentCommand } from './agent-command.js';
export { agentConfigSpec } from './agent-config.js';
export { kubeSourceFor, runAgent, type AgentConfig } from './main.js';
