/**
 * The fleet room: the RayClusterFleet rollout planner (pure) and its controller grow here
 * (DESIGN.md §3). Today it holds the RayClusterFleet resource's types.
 *
 * Decision code: pure, no I/O (lint-enforced); adapters go in `adapters/` behind their own
 * entry. May import `shared`, `discovery` (resource shapes) and `controllers`.
 */
export * from './ray-cluster-fleet.js';
