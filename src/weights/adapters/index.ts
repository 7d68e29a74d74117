/**
 * The weights room's I/O adapters, reached only from the composition roots (agent, bench, cli;
 * scripts/check-architecture.mjs). Keep one export per line so parallel additions merge cleanly.
 */
export { ReadThroughServer, type ReadThroughServerOptions } from './read-through-server.js';
export { streamArtifact } from './artifact-streamer.js';
