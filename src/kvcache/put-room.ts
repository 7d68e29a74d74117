/**
 * A slot being written before its block becomes visible (BlockStore.reserve): the block
 * service copies a put straight off the socket into it, then commits — or aborts when the
 * stream breaks mid-block. Either happens once; a second commit is a bug and throws.
 */

/** What a put did: stored a new block, kept the one already held, or found no room. */
export type PutOutcome = 'stored' | 'present' | 'no-room';

/** A slot being written: commit once written, or abort. */
export interface PutRoom {
  readonly target: Uint8Array;
  commit(): PutOutcome;
  abort(): void;
}

/** A room over `target` whose first close runs `commit` or `abort`. */
export function putRoom(target: Uint8Array, commit: () => PutOutcome, abort: () => void): PutRoom {
  let open = true;
  return {
    target,
    commit: () => {
      if (!open) throw new Error('block store: a put room was closed twice');
      open = false;
      return commit();
    },
    abort: () => {
      if (open) abort();
      open = false;
    },
  };
}
