/**
 * The weights room's I/O adapters, for composition roots only (agent, leader, up, bench, cli):
 * the node cache and its read-through view. The sources and the streamer add their lines here.
 */
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
