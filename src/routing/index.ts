export * from './types.js';
export * from './routing-config.js';
export * from './routing-state.js';
export * from './no-endpoint-error.js';
export * from './registry.js';
export * from './pick.js';
export { PrefixIndex } from './prefix-index.js';
export { promptBlockHashes } from './prefix-hashing.js';
