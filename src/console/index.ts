/**
 * The console room (issue #17): the web console's data, assembled from what the leader holds.
 * Pure: no I/O here; the leader's console-wiring.ts serves it.
 */
export * from './console-snapshot.js';
export { applyConsoleDelta, appendSamples } from './console-delta.js';
