/**
 * A minimal GGUF v3 writer: metadata key/values and F32 tensors, enough to hand llama.cpp a model
 * file built in a test. Layout (ggml's gguf.cpp): header, key/values, tensor infos, padding to the
 * alignment, then each tensor's data at an aligned offset.
 */

/** GGUF value type ids (gguf.h `gguf_type`). */
const GGUF_TYPE = {
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
} as const;

/** ggml's F32 tensor type id. */
const GGML_TYPE_F32 = 0;

/** A metadata value with its GGUF type spelled out (JS numbers alone do not say which). */
export type GgufValue =
  | { readonly type: 'uint32'; readonly value: number }
  | { readonly type: 'int32'; readonly value: number }
  | { readonly type: 'float32'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'string[]'; readonly value: readonly string[] }
  | { readonly type: 'float32[]'; readonly value: readonly number[] }
  | { readonly type: 'int32[]'; readonly value: readonly number[] };

/** An F32 tensor; `dims` in ggml order (ne0 first: the contiguous dimension). */
export interface GgufTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** Grows a byte buffer as little-endian values are appended. */
class ByteSink {
  #buf = Buffer.alloc(1 << 16);
  #len = 0;

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = Buffer.alloc(Math.max(this.#buf.length * 2, this.#len + n));
    this.#buf.copy(next, 0, 0, this.#len);
    this.#buf = next;
  }

  get length(): number {
    return this.#len;
  }

  u32(v: number): void {
    this.#reserve(4);
    this.#len = this.#buf.writeUInt32LE(v, this.#len);
  }

  i32(v: number): void {
    this.#reserve(4);
    this.#len = this.#buf.writeInt32LE(v, this.#len);
  }

  u64(v: number): void {
    this.#reserve(8);
    this.#len = this.#buf.writeBigUInt64LE(BigInt(v), this.#len);
  }

  f32(v: number): void {
    this.#reserve(4);
    this.#len = this.#buf.writeFloatLE(v, this.#len);
  }

  u8(v: number): void {
    this.#reserve(1);
    this.#len = this.#buf.writeUInt8(v, this.#len);
  }

  bytes(b: Uint8Array): void {
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }

  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.bytes(b);
  }

  padTo(alignment: number): void {
    while (this.#len % alignment !== 0) this.u8(0);
  }

  toBuffer(): Buffer {
    return this.#buf.subarray(0, this.#len);
  }
}

function writeValue(sink: ByteSink, v: GgufValue): void {
  switch (v.type) {
    case 'uint32':
      sink.u32(GGUF_TYPE.uint32);
      sink.u32(v.value);
      return;
    case 'int32':
      sink.u32(GGUF_TYPE.int32);
      sink.i32(v.value);
      return;
    case 'float32':
      sink.u32(GGUF_TYPE.float32);
      sink.f32(v.value);
      return;
    case 'bool':
      sink.u32(GGUF_TYPE.bool);
      sink.u8(v.value ? 1 : 0);
      return;
    case 'string':
      sink.u32(GGUF_TYPE.string);
      sink.str(v.value);
      return;
    case 'string[]':
      sink.u32(GGUF_TYPE.array);
      sink.u32(GGUF_TYPE.string);
      sink.u64(v.value.length);
      for (const s of v.value) sink.str(s);
      return;
    case 'float32[]':
      sink.u32(GGUF_TYPE.array);
      sink.u32(GGUF_TYPE.float32);
      sink.u64(v.value.length);
      for (const x of v.value) sink.f32(x);
      return;
    case 'int32[]':
      sink.u32(GGUF_TYPE.array);
      sink.u32(GGUF_TYPE.int32);
      sink.u64(v.value.length);
      for (const x of v.value) sink.i32(x);
      return;
  }
}

/** Serializes a GGUF v3 file. `alignment` must match the `general.alignment` key if one is set. */
export function encodeGguf(
  metadata: Readonly<Record<string, GgufValue>>,
  tensors: readonly GgufTensor[],
  alignment = 32,
): Buffer {
  const sink = new ByteSink();
  sink.bytes(Buffer.from('GGUF', 'ascii'));
  sink.u32(3);
  sink.u64(tensors.length);
  const entries = Object.entries(metadata);
  sink.u64(entries.length);
  for (const [key, value] of entries) {
    sink.str(key);
    writeValue(sink, value);
  }
  let offset = 0;
  for (const t of tensors) {
    const elements = t.dims.reduce((a, b) => a * b, 1);
    if (elements !== t.data.length)
      throw new Error(`${t.name}: dims hold ${elements} values, data has ${t.data.length}`);
    sink.str(t.name);
    sink.u32(t.dims.length);
    for (const d of t.dims) sink.u64(d);
    sink.u32(GGML_TYPE_F32);
    sink.u64(offset);
    offset += Math.ceil(t.data.byteLength / alignment) * alignment;
  }
  sink.padTo(alignment);
  for (const t of tensors) {
    sink.bytes(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    sink.padTo(alignment);
  }
  return sink.toBuffer();
}
