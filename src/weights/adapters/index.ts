/**
 * The weights room's I/O adapters, imported only by composition roots (agent, leader, up, bench,
 * cli): the four artifact sources and the factory that chooses among them.
 */
export * from './create-artifact-source.js';
export * from './s3-artifact-source.js';
export * from './http-artifact-source.js';
export * from './hf-artifact-source.js';
export * from './file-artifact-source.js';
export * from './http-client.js';
