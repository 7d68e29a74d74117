/**
 * The weights room's I/O adapters, for composition roots only (agent, bench, cli): the node
 * cache (and its read-through view) and the read-through S3 endpoint the engines stream weights
 * from. The sources and the streamer add their lines here.
 */
export { ReadThroughServer, type ReadThroughServerOptions } from './read-through-server.js';
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
