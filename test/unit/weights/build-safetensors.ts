/**
 * A minimal synthetic safetensors builder for the weights tests (test/helpers/safetensors-file.ts
 * did not exist yet when these were written): tensors laid out back to back, header padded with
 * spaces to 8 bytes as the reference writer does, data filled from a seed.
 */

/** One tensor to write. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: 'F16' | 'BF16' | 'F32' | 'I64' | 'U8';
  readonly shape: readonly number[];
}

const DTYPE_BYTES = { F16: 2, BF16: 2, F32: 4, I64: 8, U8: 1 } as const;

/** The header object for `tensors`, and the data section's length. */
export function safetensorsHeaderFor(tensors: readonly TensorSpec[]): {
  readonly header: Record<string, unknown>;
  readonly dataBytes: number;
} {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.shape.reduce((a, d) => a * d, 1) * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  return { header, dataBytes: offset };
}

/** A whole safetensors file from a header object and a data section length. */
export function encodeSafetensors(header: unknown, dataBytes: number, seed = 1): Uint8Array {
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let x = seed >>> 0 || 1;
  for (let i = 8 + headerBytes.length; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A valid safetensors file holding `tensors`. */
export function buildSafetensors(tensors: readonly TensorSpec[], seed = 1): Uint8Array {
  const { header, dataBytes } = safetensorsHeaderFor(tensors);
  return encodeSafetensors(header, dataBytes, seed);
}
