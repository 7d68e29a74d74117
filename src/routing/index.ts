export * from './routing-algorithm.js';
export * from './routing-config.js';
export * from './routing-config-spec.js';
export * from './routing-state.js';
export * from './no-endpoint-error.js';
export * from './registry.js';
export * from './pick.js';
export * from './shortlist.js';
