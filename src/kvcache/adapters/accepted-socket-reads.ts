/**
 * Reads of an accepted socket into memory the caller names, as `net.connect({ onread })` gives a
 * client socket. Node 20's `net.Server` has no such option: every read of an accepted socket is
 * a fresh 64 KiB Buffer, which the block service then copied into a store slot (a put's one
 * copy: ~100 ms of CPU per GB here, plus the allocation and the collector's share of each chunk).
 *
 * A Socket keeps its `onread` settings in three own symbol-keyed fields (`kBuffer`, `kBufferCb`,
 * `kBufferGen`, null when unused) that its read path consults on every read, and its TCP handle
 * switches to a caller's buffer with `useUserBuffer` — what `net.connect` does with `onread`.
 * This sets the same fields on an accepted socket before its first read. They are Node
 * internals, so `readInto` checks each is there and answers false when one is not (another
 * Node): the caller then reads 'data' events as before. pause()/resume() keep working (they
 * consult the same fields), and so do 'end', timeouts and errors (the read path is Node's own).
 */
import type { Socket } from 'node:net';

/** Where the next read lands (asked after every read; never empty), and what was read into it. */
export interface SocketReads {
  target(): Uint8Array;
  /** `n` bytes landed at the start of `buffer` (the last target). */
  received(n: number, buffer: Uint8Array): void;
}

interface UserBufferHandle {
  useUserBuffer(buffer: Uint8Array): void;
}

const FIELDS = ['kBuffer', 'kBufferCb', 'kBufferGen'] as const;
const SPARE_BYTES = 64 * 1024;

function fieldsOf(socket: Socket): Map<string, symbol> | undefined {
  const found = new Map<string, symbol>();
  for (const s of Object.getOwnPropertySymbols(socket))
    if (s.description !== undefined && (FIELDS as readonly string[]).includes(s.description))
      found.set(s.description, s);
  return found.size === FIELDS.length ? found : undefined;
}

/**
 * Makes `socket` (accepted, not yet read from: call it in the connection listener) read into
 * `reads.target()`. False when this Node offers no way to: nothing was changed.
 */
export function readInto(socket: Socket, reads: SocketReads): boolean {
  const fields = fieldsOf(socket);
  const handle = (socket as unknown as { _handle?: Partial<UserBufferHandle> | null })._handle;
  if (fields === undefined || typeof handle?.useUserBuffer !== 'function') return false;
  const own = socket as unknown as Record<symbol, unknown>;
  // Unused fields are null; anything else means the socket already reads somewhere else.
  if (FIELDS.some((f) => own[fields.get(f) as symbol] !== null)) return false;
  // A read into no bytes returns 0, which libuv takes for the end of the stream: an empty
  // target gets a spare instead (the caller is told where the bytes landed, so it copies them).
  let spare: Uint8Array | undefined;
  const target = (): Uint8Array => {
    const t = reads.target();
    return t.length > 0 ? t : (spare ??= new Uint8Array(SPARE_BYTES));
  };
  const first = target();
  own[fields.get('kBuffer') as symbol] = first;
  own[fields.get('kBufferGen') as symbol] = target;
  own[fields.get('kBufferCb') as symbol] = (n: number, buffer: Uint8Array) => {
    reads.received(n, buffer);
    return true;
  };
  handle.useUserBuffer(first);
  return true;
}
