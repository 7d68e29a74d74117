export * from './cluster-source.js';
export * from './cluster-file.js';
export * from './engine-client.js';
export * from './custom-resources.js';
export * from './label-selector.js';
export * from './cluster-file-replicas.js';
export * from './engine-kv-events.js';
