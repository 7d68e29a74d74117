/**
 * Reads a PEFT `adapter_config.json` (the file every LoRA artifact carries) and checks it is a
 * LoRA adapter an engine can load: vLLM's peft_helper.py reads `r`, `lora_alpha` and
 * `target_modules` from it and refuses anything else. Pure: the caller reads the file. A bad
 * file is LORA_BAD_ADAPTER with a message that names the field, so the ModelAdapter's status
 * says what is wrong with the artifact rather than that "the load failed".
 */
import { AppError } from '../shared/index.js';
import { ADAPTER_CONFIG_FILE_NAME } from '../weights/index.js';

/** What the agent needs from a valid adapter_config.json. */
export interface AdapterConfig {
  /** LoRA rank (`r`). */
  readonly rank: number;
  /** `lora_alpha`, when present. */
  readonly alpha?: number;
  /** Modules the adapter targets (a string is PEFT's regex form, kept as one entry). */
  readonly targetModules: readonly string[];
  /** `base_model_name_or_path`, when present. */
  readonly baseModelNameOrPath?: string;
}

/** The file's name inside an adapter directory. */
export const ADAPTER_CONFIG_FILE = ADAPTER_CONFIG_FILE_NAME;

/** Largest adapter_config.json read, bytes (real ones are about 1 KB). */
export const MAX_ADAPTER_CONFIG_BYTES = 1024 * 1024;

function bad(message: string): AppError {
  return new AppError('LORA_BAD_ADAPTER', `${ADAPTER_CONFIG_FILE}: ${message}`);
}

function targetModulesOf(value: unknown): string[] {
  if (typeof value === 'string' && value.length > 0) return [value];
  if (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((m): m is string => typeof m === 'string' && m.length > 0)
  )
    return value;
  throw bad('target_modules must be a non-empty string or a non-empty array of strings');
}

/**
 * Parses and validates the text of an adapter_config.json.
 * @throws AppError LORA_BAD_ADAPTER naming the first problem.
 */
export function parseAdapterConfig(text: string): AdapterConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw bad(`not JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw bad('expected a JSON object');
  const o = json as Record<string, unknown>;
  if (o.peft_type === undefined)
    throw bad('peft_type is missing (expected "LORA"): this is not a PEFT LoRA adapter');
  if (typeof o.peft_type !== 'string' || o.peft_type.toUpperCase() !== 'LORA')
    throw bad(`peft_type is ${JSON.stringify(o.peft_type)}, only "LORA" adapters can be loaded`);
  const { r } = o;
  if (typeof r !== 'number' || !Number.isSafeInteger(r) || r <= 0)
    throw bad(`r (the rank) must be a positive integer, got ${JSON.stringify(r)}`);
  const alpha = o.lora_alpha;
  if (alpha !== undefined && (typeof alpha !== 'number' || !Number.isFinite(alpha)))
    throw bad(`lora_alpha must be a number, got ${JSON.stringify(alpha)}`);
  const targetModules = targetModulesOf(o.target_modules);
  const base = o.base_model_name_or_path;
  return {
    rank: r,
    ...(alpha === undefined ? {} : { alpha }),
    targetModules,
    ...(typeof base === 'string' && base !== '' ? { baseModelNameOrPath: base } : {}),
  };
}
