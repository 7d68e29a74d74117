/**
 * Discovery's file-system adapters: reading the static cluster file and the source that watches
 * it. Only composition roots (leader, agent, up) import this entry.
 */
export { StaticClusterSource, type StaticClusterSourceOptions } from './static-cluster-source.js';
export { readClusterFile, type ClusterFileRead } from './read-cluster-file.js';
export {
  parseScaleState,
  readScaleState,
  scaleStatePath,
  writeScaleState,
  type ScaleState,
} from './scale-state-file.js';
