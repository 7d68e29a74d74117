/**
 * Safetensors header validation, before a `.safetensors` file is published: an 8-byte
 * little-endian length N, then N bytes of JSON naming every tensor's dtype, shape and byte
 * offsets in the data section that follows. A file that passes can be memory-mapped by an engine
 * without reading outside it. Pure: the caller reads the bytes.
 */

/** Headers larger than this are refused (real ones are a few MiB at most). */
export const SAFETENSORS_MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** Bits per element of every dtype the safetensors format defines. */
export const SAFETENSORS_DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  I64: 64,
  U64: 64,
  F64: 64,
};

/** One tensor of a valid header; offsets are relative to the data section. */
export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

/** A check's outcome: valid (with the tensors) or corrupt with the problem in words. */
export type SafetensorsCheck<T> =
  ({ readonly kind: 'valid' } & T) | { readonly kind: 'corrupt'; readonly problem: string };

/** Reads N from the file's first 8 bytes and checks it against the bound and the file size. */
export function safetensorsHeaderLength(
  prefix: Uint8Array,
  fileSize: number,
): SafetensorsCheck<{ readonly headerBytes: number }> {
  const corrupt = (problem: string) => ({ kind: 'corrupt', problem }) as const;
  if (fileSize < 8 || prefix.length < 8)
    return corrupt(`file of ${fileSize} bytes is shorter than the 8-byte header length`);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(SAFETENSORS_MAX_HEADER_BYTES))
    return corrupt(`header length ${n} exceeds the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit`);
  if (n > BigInt(fileSize - 8))
    return corrupt(`header length ${n} exceeds the file's ${fileSize - 8} bytes after the length`);
  if (n < 2n) return corrupt(`header length ${n} is too short for a JSON object`);
  return { kind: 'valid', headerBytes: Number(n) };
}

/** Validates the N header bytes of a file of `fileSize` bytes. */
export function validateSafetensorsHeader(
  header: Uint8Array,
  fileSize: number,
): SafetensorsCheck<{ readonly tensors: readonly SafetensorsTensor[] }> {
  const corrupt = (problem: string) => ({ kind: 'corrupt', problem }) as const;
  const dataBytes = fileSize - 8 - header.length;
  if (dataBytes < 0) return corrupt(`header of ${header.length} bytes does not fit the file`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(header);
  } catch {
    return corrupt('header is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return corrupt(`header is not JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(parsed)) return corrupt('header is not a JSON object');
  const tensors: SafetensorsTensor[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      if (!isPlainObject(value)) return corrupt('__metadata__ is not an object');
      const bad = Object.entries(value).find(([, v]) => typeof v !== 'string');
      if (bad) return corrupt(`__metadata__ key "${bad[0]}" is not a string`);
      continue;
    }
    const tensor = checkTensor(name, value, dataBytes);
    if (typeof tensor === 'string') return corrupt(`tensor "${name}": ${tensor}`);
    tensors.push(tensor);
  }
  // Sorted by begin, a tensor overlaps an earlier one iff it begins before the furthest end so
  // far; empty tensors hold no bytes and overlap nothing.
  const ordered = tensors.filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin);
  let furthest: SafetensorsTensor | undefined;
  for (const cur of ordered) {
    if (furthest !== undefined && cur.begin < furthest.end)
      return corrupt(
        `tensors "${furthest.name}" [${furthest.begin}, ${furthest.end}] and "${cur.name}" [${cur.begin}, ${cur.end}] overlap`,
      );
    if (furthest === undefined || cur.end > furthest.end) furthest = cur;
  }
  return { kind: 'valid', tensors };
}

/** The tensor, or the problem with it in words. */
function checkTensor(name: string, value: unknown, dataBytes: number): SafetensorsTensor | string {
  if (!isPlainObject(value)) return 'is not an object';
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string') return 'has no dtype';
  const bits = SAFETENSORS_DTYPE_BITS[dtype];
  if (bits === undefined) return `unknown dtype "${dtype}"`;
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInt))
    return 'shape is not a list of non-negative integers';
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt))
    return 'data_offsets is not [begin, end] of non-negative integers';
  const [begin, end] = offsets as [number, number];
  if (begin > end) return `data_offsets [${begin}, ${end}] has begin after end`;
  if (end > dataBytes)
    return `data_offsets [${begin}, ${end}] ends past the data section (${dataBytes} bytes)`;
  const elementBits = shape.reduce((acc, d) => acc * BigInt(d), 1n) * BigInt(bits);
  if (elementBits !== BigInt(end - begin) * 8n)
    return `${dtype} shape [${shape.join(', ')}] needs ${formatBits(elementBits)} but data_offsets span ${end - begin} bytes`;
  return { name, dtype, shape: shape, begin, end };
}

function formatBits(bits: bigint): string {
  return bits % 8n === 0n ? `${bits / 8n} bytes` : `${bits} bits`;
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
