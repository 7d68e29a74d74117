/**
 * A tiny random-weight llama-architecture GGUF model for llama.cpp: a SentencePiece-style ("llama")
 * vocabulary of 3 specials, 256 byte-fallback tokens, "▁" and the printable ASCII characters;
 * n_embd 64, 2 layers, 4 heads, F32 weights from a seeded generator, so the file is the same on
 * every run. Key and tensor names follow llama.cpp's src/llama-arch.cpp and src/models/llama.cpp.
 *
 * Random weights would sample any token, including end-of-sequence (answers cut short at random)
 * and lone UTF-8 continuation bytes. So one embedding dimension carries a constant, and the output
 * projection gives every token except letters and "▁" a large negative weight on it: the model then
 * writes ASCII letters and spaces until max_tokens, which makes lengths in tests predictable.
 */
import { writeFileSync } from 'node:fs';
import { encodeGguf, type GgufTensor, type GgufValue } from './gguf-writer.js';

/** llama.cpp token types (`llama_token_type`). */
const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

export interface TinyModelShape {
  readonly nEmbd: number;
  readonly nLayer: number;
  readonly nHead: number;
  readonly nFf: number;
  readonly contextLength: number;
  readonly seed: number;
}

export const TINY_MODEL_SHAPE: TinyModelShape = Object.freeze({
  nEmbd: 64,
  nLayer: 2,
  nHead: 4,
  nFf: 128,
  contextLength: 2048,
  seed: 42,
});

interface Vocab {
  readonly tokens: string[];
  readonly types: number[];
  /** Tokens the model may write (letters and "▁"). */
  readonly writable: boolean[];
}

function buildVocab(): Vocab {
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const types: number[] = [TOKEN_TYPE.unknown, TOKEN_TYPE.control, TOKEN_TYPE.control];
  const writable: boolean[] = [false, false, false];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TOKEN_TYPE.byte);
    writable.push(false);
  }
  tokens.push('\u2581');
  types.push(TOKEN_TYPE.normal);
  writable.push(true);
  for (let c = 0x21; c <= 0x7e; c++) {
    const ch = String.fromCharCode(c);
    tokens.push(ch);
    types.push(TOKEN_TYPE.normal);
    writable.push(/[a-zA-Z]/.test(ch));
  }
  return { tokens, types, writable };
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The GGUF bytes of the tiny model. */
export function tinyLlamaGguf(shape: TinyModelShape = TINY_MODEL_SHAPE): Buffer {
  const { nEmbd, nLayer, nHead, nFf, contextLength } = shape;
  const vocab = buildVocab();
  const nVocab = vocab.tokens.length;
  const rand = seededRandom(shape.seed);
  const uniform = (n: number, scale: number): Float32Array =>
    Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const ones = (n: number): Float32Array => new Float32Array(n).fill(1);

  // Dimension 0 of every embedding is the constant the output projection steers on.
  const embd = uniform(nEmbd * nVocab, 0.05);
  for (let t = 0; t < nVocab; t++) embd[t * nEmbd] = 1;
  const output = uniform(nEmbd * nVocab, 0.05);
  for (let t = 0; t < nVocab; t++) output[t * nEmbd] = vocab.writable[t] ? 0 : -4;

  const tensors: GgufTensor[] = [
    { name: 'token_embd.weight', dims: [nEmbd, nVocab], data: embd },
    { name: 'output_norm.weight', dims: [nEmbd], data: ones(nEmbd) },
    { name: 'output.weight', dims: [nEmbd, nVocab], data: output },
  ];
  for (let i = 0; i < nLayer; i++) {
    const blk = `blk.${i}`;
    tensors.push(
      { name: `${blk}.attn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) },
      { name: `${blk}.attn_q.weight`, dims: [nEmbd, nEmbd], data: uniform(nEmbd * nEmbd, 0.05) },
      { name: `${blk}.attn_k.weight`, dims: [nEmbd, nEmbd], data: uniform(nEmbd * nEmbd, 0.05) },
      { name: `${blk}.attn_v.weight`, dims: [nEmbd, nEmbd], data: uniform(nEmbd * nEmbd, 0.05) },
      {
        name: `${blk}.attn_output.weight`,
        dims: [nEmbd, nEmbd],
        data: uniform(nEmbd * nEmbd, 0.05),
      },
      { name: `${blk}.ffn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) },
      { name: `${blk}.ffn_gate.weight`, dims: [nEmbd, nFf], data: uniform(nEmbd * nFf, 0.05) },
      { name: `${blk}.ffn_up.weight`, dims: [nEmbd, nFf], data: uniform(nEmbd * nFf, 0.05) },
      { name: `${blk}.ffn_down.weight`, dims: [nFf, nEmbd], data: uniform(nFf * nEmbd, 0.05) },
    );
  }

  const u32 = (value: number): GgufValue => ({ type: 'uint32', value });
  const metadata: Record<string, GgufValue> = {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: 'infernode-tiny-random' },
    'general.alignment': u32(32),
    'llama.context_length': u32(contextLength),
    'llama.embedding_length': u32(nEmbd),
    'llama.block_count': u32(nLayer),
    'llama.feed_forward_length': u32(nFf),
    'llama.attention.head_count': u32(nHead),
    'llama.attention.head_count_kv': u32(nHead),
    'llama.rope.dimension_count': u32(nEmbd / nHead),
    'llama.attention.layer_norm_rms_epsilon': { type: 'float32', value: 1e-5 },
    'llama.vocab_size': u32(nVocab),
    'tokenizer.ggml.model': { type: 'string', value: 'llama' },
    'tokenizer.ggml.tokens': { type: 'string[]', value: vocab.tokens },
    'tokenizer.ggml.scores': { type: 'float32[]', value: vocab.tokens.map(() => 0) },
    'tokenizer.ggml.token_type': { type: 'int32[]', value: vocab.types },
    'tokenizer.ggml.unknown_token_id': u32(0),
    'tokenizer.ggml.bos_token_id': u32(1),
    'tokenizer.ggml.eos_token_id': u32(2),
    'tokenizer.ggml.add_bos_token': { type: 'bool', value: true },
    'tokenizer.ggml.add_eos_token': { type: 'bool', value: false },
  };
  return encodeGguf(metadata, tensors, 32);
}

/** Writes the tiny model to `path` and returns the path. */
export function writeTinyLlamaGguf(path: string, shape?: TinyModelShape): string {
  writeFileSync(path, tinyLlamaGguf(shape));
  return path;
}
