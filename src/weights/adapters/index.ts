/**
 * The weights room's I/O adapters, reached only from the composition roots (agent, bench, cli;
 * scripts/check-architecture.mjs): the four artifact sources and their factory, the streamer, the node
 * cache (and its read-through view) and the read-through S3 endpoint the engines stream weights
 * from. One export per line, so parallel additions merge cleanly.
 */
export { ReadThroughServer, type ReadThroughServerOptions } from './read-through-server.js';
export { streamArtifact } from './artifact-streamer.js';
export { NodeCache } from './node-cache.js';
export type {
  CacheContents,
  CachedModel,
  NodeCacheOptions,
  PullHandle,
  ResolveSource,
  StreamArtifact,
} from './node-cache-types.js';
export { NodeCacheReader, INFERNODE_BUCKET } from './cache-reader.js';
export * from './create-artifact-source.js';
export * from './s3-artifact-source.js';
export * from './http-artifact-source.js';
export * from './hf-artifact-source.js';
export * from './file-artifact-source.js';
export * from './http-client.js';
