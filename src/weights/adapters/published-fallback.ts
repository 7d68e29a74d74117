/**
 * A read through a pull's stream that may lose a race with the publish: the streamer's reader
 * opens its file lazily, on the first piece, and once every byte is in the cache renames the
 * whole staging directory to models/<key>. A reader whose bytes were all available but that had
 * not opened the file yet then finds neither the partial nor the final staging path (ENOENT).
 * A descriptor, once open, stays valid across the rename, so only a failure before the first
 * piece can be this race; it is answered from the published copy.
 */

/** `streamed`, or — when it fails with ENOENT before yielding a byte — `published()`. */
export async function* withPublishedFallback(
  streamed: AsyncIterable<Uint8Array>,
  published: () => Promise<AsyncIterable<Uint8Array>> | undefined,
): AsyncGenerator<Uint8Array> {
  let yielded = false;
  try {
    for await (const piece of streamed) {
      yielded = true;
      yield piece;
    }
  } catch (err) {
    const fallback =
      !yielded && (err as NodeJS.ErrnoException | null)?.code === 'ENOENT'
        ? published()
        : undefined;
    if (fallback === undefined) throw err;
    yield* await fallback;
  }
}
