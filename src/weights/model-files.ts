/**
 * What files make a model when a source cannot list a directory (plain HTTP): the safetensors
 * index's `weight_map` names the shards, or there is one `model.safetensors`, plus the small
 * files engines read. Pure: parses what the adapter fetched.
 */
import { AppError } from '../shared/index.js';
import { assertSafeRelativePath } from './safe-path.js';

/** The index file that names a sharded model's safetensors files. */
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';
/** The weights file of an unsharded model. */
export const SINGLE_SAFETENSORS_FILE = 'model.safetensors';
/**
 * A PEFT LoRA adapter directory, the fallback when a directory has no model weights: its weights
 * file (safetensors first, as vLLM looks) and its config, which must both be there.
 */
export const ADAPTER_WEIGHT_FILES = ['adapter_model.safetensors', 'adapter_model.bin'] as const;
/** The config file of a PEFT adapter directory. */
export const ADAPTER_CONFIG_FILE_NAME = 'adapter_config.json';
/** Small files a model directory usually has; each is optional. */
export const MODEL_SIDE_FILES = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.json',
  'vocab.txt',
  'merges.txt',
  'tokenizer.model',
  'added_tokens.json',
  'preprocessor_config.json',
  'chat_template.jinja',
] as const;
/** Most shards one index may name; a larger map is refused as malformed. */
export const MAX_INDEX_SHARDS = 10_000;

/**
 * The distinct shard file names of a `model.safetensors.index.json`, sorted.
 * @throws AppError WEIGHTS_SOURCE_FAILED when the index is not the expected shape;
 * WEIGHTS_PATH_ESCAPE when a shard name is not a safe relative path.
 */
export function shardsOfSafetensorsIndex(index: unknown): string[] {
  const weightMap =
    typeof index === 'object' && index !== null
      ? (index as Record<string, unknown>).weight_map
      : undefined;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap))
    throw new AppError(
      'WEIGHTS_SOURCE_FAILED',
      `${SAFETENSORS_INDEX_FILE} has no weight_map object`,
    );
  const shards = new Set<string>();
  for (const file of Object.values(weightMap as Record<string, unknown>)) {
    if (typeof file !== 'string')
      throw new AppError(
        'WEIGHTS_SOURCE_FAILED',
        `${SAFETENSORS_INDEX_FILE} maps a tensor to a non-string`,
      );
    shards.add(assertSafeRelativePath(file, SAFETENSORS_INDEX_FILE));
    if (shards.size > MAX_INDEX_SHARDS)
      throw new AppError(
        'WEIGHTS_SOURCE_FAILED',
        `${SAFETENSORS_INDEX_FILE} names more than ${MAX_INDEX_SHARDS} shards`,
      );
  }
  if (shards.size === 0)
    throw new AppError('WEIGHTS_SOURCE_FAILED', `${SAFETENSORS_INDEX_FILE} names no shard`);
  return [...shards].sort();
}
