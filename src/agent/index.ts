export { agentCommand } from './agent-command.js';
export { agentConfigSpec } from './agent-config.js';
export { runAgent, type AgentConfig } from './main.js';
