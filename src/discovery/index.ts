export * from './cluster-source.js';
export * from './cluster-file.js';
export {
  StaticClusterSource,
  type StaticClusterSourceOptions,
} from './adapters/static-cluster-source.js';
export { readClusterFile, type ClusterFileRead } from './adapters/read-cluster-file.js';
export * from './engine-client.js';
