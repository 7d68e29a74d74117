export * from './types.js';
export * from './cluster-file.js';
export {
  StaticClusterSource,
  type StaticClusterSourceOptions,
} from './adapters/static-cluster-source.js';
export * from './engine-client.js';
