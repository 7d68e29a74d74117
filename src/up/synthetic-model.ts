/**
 * A synthetic model in Hugging Face layout, for the local cluster and the tests: valid
 * safetensors shards (BF16 tensors of up to 4 MiB each, header padded to 8 bytes as the
 * safetensors writer does), the shard index, config.json and tokenizer files. Written once per
 * directory: a marker holds the spec, so a second `up` reuses the files.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../shared/index.js';

/** Size and shard count of a synthetic model. */
export interface SyntheticModelSpec {
  readonly sizeMiB: number;
  readonly shards: number;
}

/** One written file, relative to the model directory. */
export interface SyntheticModelFile {
  readonly name: string;
  readonly size: number;
}

const TENSOR_BYTES = 4 * 1024 * 1024;
const ROW_ELEMENTS = 1024;
const MARKER = '.infernode-synthetic-model.json';

/** The safetensors bytes before the data: 8-byte length + JSON header padded with spaces. */
export function safetensorsPrelude(dataBytes: number, shardIndex: number): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (let t = 0; offset < dataBytes; t++) {
    const bytes = Math.min(TENSOR_BYTES, dataBytes - offset);
    const elements = bytes / 2;
    const shape =
      elements % ROW_ELEMENTS === 0 ? [elements / ROW_ELEMENTS, ROW_ELEMENTS] : [elements];
    header[`model.layers.${shardIndex}.block.${t}.weight`] = {
      dtype: 'BF16',
      shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const prelude = Buffer.alloc(8 + json.length);
  prelude.writeBigUInt64LE(BigInt(json.length), 0);
  prelude.write(json, 8, 'utf8');
  return prelude;
}

/** Shard names as Hugging Face writes them. */
export function shardName(index: number, count: number): string {
  const pad = (n: number): string => String(n).padStart(5, '0');
  return `model-${pad(index + 1)}-of-${pad(count)}.safetensors`;
}

/**
 * Writes the model into `dir` unless a previous call with the same spec completed there.
 * Returns every file with its size.
 */
export async function writeSyntheticModel(
  dir: string,
  spec: SyntheticModelSpec,
  signal?: AbortSignal,
): Promise<SyntheticModelFile[]> {
  if (!Number.isInteger(spec.shards) || spec.shards < 1 || !(spec.sizeMiB > 0))
    throw new AppError(
      'CONFIG_INVALID',
      `synthetic model: sizeMiB > 0 and shards ≥ 1, got ${JSON.stringify(spec)}`,
    );
  const want = JSON.stringify({ sizeMiB: spec.sizeMiB, shards: spec.shards, v: 1 });
  const marker = join(dir, MARKER);
  const previous = await readFile(marker, 'utf8').catch(() => undefined);
  if (previous !== undefined) {
    const parsed = JSON.parse(previous) as { spec: string; files: SyntheticModelFile[] };
    if (parsed.spec === want) return parsed.files;
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const total = Math.floor(spec.sizeMiB * 1024 * 1024);
  // Even sizes: BF16 is two bytes an element.
  const perShard = Math.max(2, Math.floor(total / spec.shards / 2) * 2);
  const files: SyntheticModelFile[] = [];
  const weightMap: Record<string, string> = {};
  const filler = randomBytes(1024 * 1024);
  for (let s = 0; s < spec.shards; s++) {
    signal?.throwIfAborted();
    const name = shardName(s, spec.shards);
    const prelude = safetensorsPrelude(perShard, s);
    const header = JSON.parse(prelude.subarray(8).toString('utf8')) as Record<string, unknown>;
    for (const tensor of Object.keys(header))
      if (tensor !== '__metadata__') weightMap[tensor] = name;
    const fh = await open(join(dir, name), 'w');
    try {
      await fh.write(prelude);
      for (let written = 0; written < perShard; written += filler.byteLength) {
        signal?.throwIfAborted();
        await fh.write(filler, 0, Math.min(filler.byteLength, perShard - written));
      }
    } finally {
      await fh.close();
    }
    files.push({ name, size: prelude.byteLength + perShard });
  }
  const small: Record<string, unknown> = {
    'config.json': {
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      torch_dtype: 'bfloat16',
      hidden_size: ROW_ELEMENTS,
      num_hidden_layers: spec.shards,
      vocab_size: 32000,
    },
    'model.safetensors.index.json': {
      metadata: { total_size: perShard * spec.shards },
      weight_map: weightMap,
    },
    'tokenizer.json': { version: '1.0', model: { type: 'BPE', vocab: {}, merges: [] } },
    'tokenizer_config.json': {
      model_max_length: 131072,
      tokenizer_class: 'PreTrainedTokenizerFast',
    },
    'generation_config.json': { do_sample: true, temperature: 0.6 },
  };
  for (const [name, body] of Object.entries(small)) {
    const text = `${JSON.stringify(body, null, 2)}\n`;
    await writeFile(join(dir, name), text);
    files.push({ name, size: Buffer.byteLength(text) });
  }
  await writeFile(marker, JSON.stringify({ spec: want, files }));
  return files;
}
