/**
 * Runtime LoRA adapters with vLLM's `/v1/load_lora_adapter` and `/v1/unload_lora_adapter`
 * rules (vllm/entrypoints/openai/serving_models.py, vllm/lora/peft_helper.py):
 * - missing lora_name or lora_path → 400 "Both 'lora_name' and 'lora_path' must be provided."
 * - a name already loaded → 400 "The lora adapter '<name>' has already been loaded."
 * - a path with no adapter → 404 NotFoundError "Loading lora <name> failed: No adapter found for <path>"
 * - rank above --max-lora-rank → 400 "LoRA rank <r> is greater than max_lora_rank <max>."
 * - LoRA disabled → 400 "LoRA is not enabled. Use --enable-lora to enable LoRA."
 * - unload without lora_name → 400; of an unknown name → 404 "The lora adapter '<name>' cannot be found."
 * `--max-loras` bounds the adapters in one batch (the scheduler holds other adapters' requests
 * back). The registry itself is bounded at `maxAdapters` (vLLM's max_cpu_loras): beyond it the
 * load is answered 400 "No free adapter slots." (vLLM's LoRAModelManager.add_adapter without
 * LRU eviction), which the agent maps to the retriable LORA_NO_SLOT.
 */
import { vllmError, type VllmError } from './openai-shapes.js';

/** A loaded adapter. */
export interface LoraAdapter {
  readonly name: string;
  readonly path: string;
  /** LoRA rank (`r`). */
  readonly rank: number;
  /**
   * vLLM's lora_int_id: 1, 2, … in the order loads pass the name checks (a load refused after
   * them uses one up too; unload frees none); also the seed of the adapter's KV block hashes.
   */
  readonly intId: number;
}

/** What exists at an adapter path: nothing, or an adapter with a known or default rank and its size. */
export type AdapterProbe = (
  path: string,
) => Promise<{ kind: 'missing' } | { kind: 'found'; rank: number; bytes: number }>;

/** Limits of the registry. */
export interface LoraRegistryOptions {
  readonly enabled: boolean;
  /** --max-lora-rank. */
  readonly maxLoraRank: number;
  /** Most adapters registered at once. */
  readonly maxAdapters: number;
}

const str = (body: Record<string, unknown>, key: string): string | undefined => {
  const v = body[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** The adapters an engine has loaded. */
export class LoraRegistry {
  readonly #options: LoraRegistryOptions;
  readonly #adapters = new Map<string, LoraAdapter>();
  #nextIntId = 1;

  constructor(options: LoraRegistryOptions) {
    this.#options = options;
  }

  /** Loaded adapters, in load order. */
  list(): LoraAdapter[] {
    return [...this.#adapters.values()];
  }

  /** The adapter called `name`, if loaded. */
  get(name: string): LoraAdapter | undefined {
    return this.#adapters.get(name);
  }

  /**
   * Validates and loads; returns the adapter or vLLM's error. `loading` is the time the engine
   * takes to read a valid adapter (lora-cost.ts): the adapter is listed only after it.
   */
  async load(
    body: Record<string, unknown>,
    probe: AdapterProbe,
    loading: (bytes: number) => Promise<void> = () => Promise.resolve(),
  ): Promise<LoraAdapter | VllmError> {
    const name = str(body, 'lora_name');
    const path = str(body, 'lora_path');
    if (name === undefined || path === undefined)
      return vllmError(
        400,
        'InvalidUserInput',
        "Both 'lora_name' and 'lora_path' must be provided.",
      );
    if (this.#adapters.has(name))
      return vllmError(
        400,
        'InvalidUserInput',
        `The lora adapter '${name}' has already been loaded.`,
      );
    // vLLM takes the adapter's lora_int_id here, after the name checks and before the engine
    // reads it: a load refused below still uses its id up (serving_models.py load_lora_adapter).
    const intId = this.#nextIntId++;
    if (!this.#options.enabled)
      return vllmError(
        400,
        'BadRequestError',
        'LoRA is not enabled. Use --enable-lora to enable LoRA.',
      );
    if (this.#adapters.size >= this.#options.maxAdapters)
      return vllmError(
        400,
        'BadRequestError',
        // vLLM's LoRAModelManager.add_adapter when its registry (max_cpu_loras) is full.
        'No free adapter slots.',
      );
    const found = await probe(path);
    if (found.kind === 'missing')
      return vllmError(
        404,
        'NotFoundError',
        `Loading lora ${name} failed: No adapter found for ${path}`,
      );
    if (found.rank > this.#options.maxLoraRank)
      return vllmError(
        400,
        'BadRequestError',
        `LoRA rank ${found.rank} is greater than max_lora_rank ${this.#options.maxLoraRank}.`,
      );
    await loading(found.bytes);
    // A concurrent load of the same name may have finished while we probed and read.
    if (this.#adapters.has(name))
      return vllmError(
        400,
        'InvalidUserInput',
        `The lora adapter '${name}' has already been loaded.`,
      );
    // Another adapter may have taken the last slot while we probed and read (checked again).
    if (this.#adapters.size >= this.#options.maxAdapters)
      return vllmError(400, 'BadRequestError', 'No free adapter slots.');
    const adapter = { name, path, rank: found.rank, intId };
    this.#adapters.set(name, adapter);
    return adapter;
  }

  /** Unloads; returns the adapter or vLLM's error. */
  unload(body: Record<string, unknown>): LoraAdapter | VllmError {
    const name = str(body, 'lora_name');
    if (name === undefined)
      return vllmError(
        400,
        'InvalidUserInput',
        "'lora_name' needs to be provided to unload a LoRA adapter.",
      );
    const adapter = this.#adapters.get(name);
    if (adapter === undefined)
      return vllmError(404, 'NotFoundError', `The lora adapter '${name}' cannot be found.`);
    this.#adapters.delete(name);
    return adapter;
  }
}
