/**
 * The port every weight source implements (s3, http(s), hf, file adapters). Sources are built
 * per artifact by the composition root, with credentials and the host allow-list already applied.
 * Every call takes an AbortSignal; a source that hangs is cut by the caller's signal.
 */
import type { ArtifactFile, ArtifactListing, ByteRange } from './artifact.js';

export interface ArtifactSource {
  /** Lists the artifact's files. Rejects with WEIGHTS_NOT_FOUND when there are none. */
  list(signal: AbortSignal): Promise<ArtifactListing>;
  /**
   * The bytes of `range` of one listed file, as they arrive. Conditioned on `file.etag` when
   * present: a changed object rejects (or fails the iteration) with WEIGHTS_SOURCE_CHANGED.
   * A body shorter than the range is the caller's to detect (it counts bytes).
   */
  readRange(
    file: ArtifactFile,
    range: ByteRange,
    signal: AbortSignal,
  ): Promise<AsyncIterable<Uint8Array>>;
}
