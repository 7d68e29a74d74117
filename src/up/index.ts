export { upCommand } from './up-command.js';
export {
  startLocalCluster,
  waitUntilServing,
  childName,
  packageRoot,
  type LocalCluster,
  type LocalClusterOptions,
} from './local-cluster.js';
export { ChildSupervisor, type ChildSpec } from './child-supervisor.js';
export {
  ScaleGroupFollower,
  groupReplicaChildren,
  type ScaleGroupFollowerOptions,
} from './scale-group-follower.js';
