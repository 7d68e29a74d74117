/**
 * LMCache's remote-server wire format (`lm://host:port`), byte for byte, so a vLLM with LMCache's
 * connector (`remote_url: lm://<node>:<port>`, `remote_serde: naive`) can use the agent's DRAM as
 * its remote KV store (reference/kv-wire.md §1).
 *
 * Target: LMCache v1, `lmcache/v1/protocol.py` at commit 0851d06 (ClientMetaMessage,
 * ServerMetaMessage) with the reference server `lmcache/v1/server/__main__.py` of the same tree.
 * Integers are Python `struct` native ints: 32-bit signed, little-endian on x86-64 and arm64.
 *
 * - Client header, 186 bytes: `command, length, fmt, dtype, location, shape0..3` then the key,
 *   UTF-8, right-padded with spaces to 150 bytes (the server strips it).
 * - Server header, 36 bytes. The reference server packs `…, shape0..3, location` but the client
 *   of the same tree decodes `code, length, fmt, dtype, location, shape0..3`; we write what the
 *   client decodes (the two agree whenever the shape is all zero, as on every non-data reply).
 * - PUT sends `length` payload bytes after the header and gets no reply. GET gets a header and,
 *   on SUCCESS, `length` bytes. EXIST and HEALTH get a header only.
 *
 * Pure: no I/O.
 */

/** The fixed key field, bytes (`MAX_KEY_LENGTH`). */
export const LMCACHE_KEY_BYTES = 150;
/** A client header: 9 int32 and the key. */
export const LMCACHE_CLIENT_HEADER_BYTES = 4 * 9 + LMCACHE_KEY_BYTES;
/** A server header: 9 int32. */
export const LMCACHE_SERVER_HEADER_BYTES = 4 * 9;

/** Client commands (`Constants.CLIENT_*`). */
export const LMCACHE_COMMANDS = { put: 1, get: 2, exist: 3, list: 4, health: 5 } as const;
/** A command name. */
export type LmcacheCommand = keyof typeof LMCACHE_COMMANDS;

/** Server reply codes (`Constants.SERVER_*`). */
export const LMCACHE_SUCCESS = 200;
/** See {@link LMCACHE_SUCCESS}. */
export const LMCACHE_FAIL = 400;

/**
 * What LMCache keeps with a value and returns on GET: its MemoryFormat, dtype and location ints
 * (kv-wire.md lists them) and the 4-dimensional shape. The store treats them as opaque.
 */
export interface LmcacheMeta {
  readonly fmt: number;
  readonly dtype: number;
  readonly location: number;
  readonly shape: readonly [number, number, number, number];
}

/** A decoded client header. */
export interface LmcacheClientHeader extends LmcacheMeta {
  readonly command: LmcacheCommand;
  /** Payload bytes that follow (PUT); 0 otherwise. */
  readonly length: number;
  /** The stripped key (LMCache's `CacheEngineKey.to_string()`). */
  readonly key: string;
}

/** A decoded server header. */
export interface LmcacheServerHeader extends LmcacheMeta {
  readonly code: number;
  readonly length: number;
}

/** Why a client header is refused; the listener closes that connection. */
export type LmcacheHeaderFault = 'unknown-command' | 'negative-length' | 'bad-key';

/** The outcome of decoding a client header. */
export type LmcacheHeaderResult =
  | { readonly ok: true; readonly header: LmcacheClientHeader }
  | { readonly ok: false; readonly fault: LmcacheHeaderFault; readonly message: string };

/**
 * The fields the reference server sends on replies that carry no value (FAIL, EXIST, HEALTH):
 * `MemoryFormat(1)`, `torch.float16` (2), an all-zero shape, no location.
 */
export const LMCACHE_EMPTY_META: LmcacheMeta = {
  fmt: 1,
  dtype: 2,
  location: 0,
  shape: [0, 0, 0, 0],
};

const COMMAND_BY_NUMBER = new Map<number, LmcacheCommand>(
  Object.entries(LMCACHE_COMMANDS).map(([name, n]) => [n, name as LmcacheCommand]),
);
const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Python's `str.strip()` with no argument strips whitespace; the key is space-padded. */
const PAD = /^\s+|\s+$/g;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes the first {@link LMCACHE_CLIENT_HEADER_BYTES} bytes of `bytes`. */
export function decodeClientHeader(bytes: Uint8Array): LmcacheHeaderResult {
  if (bytes.length < LMCACHE_CLIENT_HEADER_BYTES)
    throw new RangeError(`a client header is ${LMCACHE_CLIENT_HEADER_BYTES} bytes`);
  const v = view(bytes);
  const int = (i: number): number => v.getInt32(i * 4, true);
  const command = COMMAND_BY_NUMBER.get(int(0));
  if (command === undefined)
    return { ok: false, fault: 'unknown-command', message: `unknown command ${int(0)}` };
  const length = int(1);
  if (length < 0)
    return { ok: false, fault: 'negative-length', message: `negative length ${length}` };
  let key: string;
  try {
    key = utf8.decode(bytes.subarray(36, LMCACHE_CLIENT_HEADER_BYTES)).replace(PAD, '');
  } catch {
    return { ok: false, fault: 'bad-key', message: 'key is not UTF-8' };
  }
  return {
    ok: true,
    header: {
      command,
      length,
      fmt: int(2),
      dtype: int(3),
      location: int(4),
      shape: [int(5), int(6), int(7), int(8)],
      key,
    },
  };
}

/** Encodes a client header as LMCache's client does; refuses a key over 150 UTF-8 bytes. */
export function encodeClientHeader(header: LmcacheClientHeader): Uint8Array {
  const key = new TextEncoder().encode(header.key);
  if (key.length > LMCACHE_KEY_BYTES)
    throw new RangeError(`key of ${key.length} bytes exceeds ${LMCACHE_KEY_BYTES}`);
  const out = new Uint8Array(LMCACHE_CLIENT_HEADER_BYTES);
  const v = view(out);
  const ints = [
    LMCACHE_COMMANDS[header.command],
    header.length,
    header.fmt,
    header.dtype,
    header.location,
    ...header.shape,
  ];
  ints.forEach((n, i) => v.setInt32(i * 4, n, true));
  out.fill(0x20, 36);
  out.set(key, 36);
  return out;
}

/** Encodes a server header in the order LMCache's client decodes (see the file comment). */
export function encodeServerHeader(header: LmcacheServerHeader): Uint8Array {
  const out = new Uint8Array(LMCACHE_SERVER_HEADER_BYTES);
  const v = view(out);
  const ints = [
    header.code,
    header.length,
    header.fmt,
    header.dtype,
    header.location,
    ...header.shape,
  ];
  ints.forEach((n, i) => v.setInt32(i * 4, n, true));
  return out;
}

/** Decodes a server header (the client's order). */
export function decodeServerHeader(bytes: Uint8Array): LmcacheServerHeader {
  if (bytes.length < LMCACHE_SERVER_HEADER_BYTES)
    throw new RangeError(`a server header is ${LMCACHE_SERVER_HEADER_BYTES} bytes`);
  const v = view(bytes);
  const int = (i: number): number => v.getInt32(i * 4, true);
  return {
    code: int(0),
    length: int(1),
    fmt: int(2),
    dtype: int(3),
    location: int(4),
    shape: [int(5), int(6), int(7), int(8)],
  };
}
