/**
 * The weights room's I/O adapters, for composition roots only (agent, bench, cli): the
 * read-through S3 endpoint the engines stream weights from.
 */
export { ReadThroughServer, type ReadThroughServerOptions } from './read-through-server.js';
