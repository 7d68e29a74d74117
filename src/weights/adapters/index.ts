/**
 * The weights room's I/O adapters, reached only from the composition roots
 * (scripts/check-architecture.mjs). Keep one export per line so parallel additions merge cleanly.
 */
export { streamArtifact } from './artifact-streamer.js';
