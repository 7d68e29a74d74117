/**
 * The weights room (DESIGN.md §3): model artifacts fetched once per node and streamed into
 * engines. Here: artifact references and listings, the source port, part planning, the parts
 * journal, range availability, safetensors header validation and the cache's eviction choice —
 * all pure. The sources (s3, http(s), hf, file), the streamer, the node cache and the read-through
 * S3 endpoint do I/O and live in `adapters/`, reached only through `adapters/index.ts` from the
 * composition roots.
 *
 * May import `shared` only.
 */
export * from './artifact.js';
export * from './artifact-source.js';
export * from './artifact-pull.js';
export * from './artifact-uri.js';
export * from './host-policy.js';
export * from './safe-path.js';
export * from './http-range.js';
export * from './model-files.js';
export * from './hub-revision.js';
