/**
 * Leader election (DESIGN.md §1, STYLE.md §9): the port (LeaderElection), its static adapter,
 * the pure Lease decision, the LeaseStore port and the Lease elector over it.
 * Its Kubernetes adapters (the Lease store, the role label) are exported from
 * `./adapters/index.ts` for the composition root only.
 */
export * from './election.js';
export * from './lease-decision.js';
export * from './lease-store.js';
export * from './lease-elector.js';
export * from './standby-decision.js';
export * from './standby-election.js';
