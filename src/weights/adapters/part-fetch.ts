/**
 * One attempt at one part: a single `readRange` call whose chunks are written to disk as they
 * arrive (one chunk in memory at a time; the source iterable's backpressure is the write's pace).
 * The body's bytes are counted: a short or long body is a failure. A part that receives nothing
 * for `idleTimeoutMs` is cut with WEIGHTS_SOURCE_TIMEOUT, even when the source ignores its signal.
 */
import { AppError, linkedSignal } from '../../shared/index.js';
import type { ArtifactFile, ArtifactSource, ByteRange } from '../index.js';

/** What one attempt needs. */
export interface PartFetch {
  readonly source: ArtifactSource;
  readonly file: ArtifactFile;
  readonly range: ByteRange;
  /** The pull's signal and the file's (a restart aborts the file's parts). */
  readonly signals: readonly AbortSignal[];
  readonly idleTimeoutMs: number;
  /** Writes `chunk` at byte `position` of the file; resolves once written. */
  readonly write: (chunk: Uint8Array, position: number) => Promise<void>;
}

/** Fetches `range` into the file; rejects with the source's error, a timeout, or a short body. */
export async function fetchPart(fetch: PartFetch): Promise<void> {
  const { file, range } = fetch;
  const idle = new AbortController();
  const linked = linkedSignal([...fetch.signals, idle.signal]);
  let timer: NodeJS.Timeout | undefined;
  let stop: (reason: unknown) => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  stopped.catch(() => undefined);
  const onAbort = (): void => stop(linked.signal.reason);
  linked.signal.addEventListener('abort', onAbort, { once: true });
  if (linked.signal.aborted) onAbort();
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle.abort(
        new AppError(
          'WEIGHTS_SOURCE_TIMEOUT',
          `${file.path} [${range.start}, ${range.end}): no byte for ${fetch.idleTimeoutMs} ms`,
        ),
      );
    }, fetch.idleTimeoutMs);
  };
  let iterator: AsyncIterator<Uint8Array> | undefined;
  let ok = false;
  try {
    arm();
    const body = await Promise.race([fetch.source.readRange(file, range, linked.signal), stopped]);
    iterator = body[Symbol.asyncIterator]();
    let position = range.start;
    for (;;) {
      const next = await Promise.race([iterator.next(), stopped]);
      if (next.done === true) break;
      const chunk = next.value;
      if (position + chunk.length > range.end)
        throw sourceFailed(file, range, `body longer than the range`);
      // Never raced against a stop: a write left running could land after a restart truncates.
      clearTimeout(timer);
      if (chunk.length > 0) await fetch.write(chunk, position);
      position += chunk.length;
      arm();
    }
    iterator = undefined;
    if (position !== range.end)
      throw sourceFailed(file, range, `body ended after ${position - range.start} bytes`);
    ok = true;
  } finally {
    clearTimeout(timer);
    linked.signal.removeEventListener('abort', onAbort);
    // Not awaited: a source that hangs may never settle return(); its signal is aborted below.
    if (iterator?.return) iterator.return().catch(() => undefined);
    if (!ok && !linked.signal.aborted) idle.abort();
    linked.dispose();
  }
}

function sourceFailed(file: ArtifactFile, range: ByteRange, why: string): AppError {
  return new AppError(
    'WEIGHTS_SOURCE_FAILED',
    `${file.path} [${range.start}, ${range.end}): ${why}`,
  );
}
