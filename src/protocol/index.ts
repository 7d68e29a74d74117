export * from './messages.js';
export * from './validate.js';
export * from './agent-credential.js';
export * from './command-messages.js';
export { checkJsonObject } from './validate-command.js';
export * from './kv-messages.js';
export * from './replica-messages.js';
export * from './validate-replica.js';
export * from './pace-messages.js';
