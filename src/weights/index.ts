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
export * from './cache-key.js';
export * from './cache-eviction.js';
export * from './read-through-config.js';
export * from './s3-range.js';
export * from './s3-xml.js';
export * from './s3-errors.js';
export * from './s3-list-page.js';
export * from './s3-object-answer.js';
export * from './s3-request-target.js';
export * from './sigv4-verify.js';
export { parseAmzDate, signingKey, sigV4Encode } from './sigv4-canonical.js';
export * from './part-plan.js';
export * from './part-bitmap.js';
export * from './parts-journal.js';
export * from './range-availability.js';
export * from './part-scheduler.js';
export * from './safetensors-header.js';
export * from './rate-window.js';
export * from './streamer-defaults.js';
export * from './artifact-uri.js';
export * from './host-policy.js';
export * from './safe-path.js';
export * from './http-range.js';
export * from './model-files.js';
export * from './hub-revision.js';
export * from './synthetic-safetensors.js';
