/**
 * The file-system side of loading an adapter: does `lora_path` exist, and what rank does its
 * `adapter_config.json` declare (PEFT field `r`)? vLLM downloads non-local paths from the
 * Hugging Face Hub; the simulator cannot, so it accepts a Hub-style id (`org/name`) as if the
 * download succeeded, with the default rank.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AdapterProbe } from './lora-registry.js';

/** Rank assumed when an adapter has no readable `adapter_config.json`. */
export const DEFAULT_LORA_RANK = 8;

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/** Probes a local adapter directory (or accepts a Hub id). Never throws. */
export const fileAdapterProbe: AdapterProbe = async (path) => {
  try {
    await stat(path);
  } catch {
    return HUB_ID.test(path) ? { kind: 'found', rank: DEFAULT_LORA_RANK } : { kind: 'missing' };
  }
  try {
    const config = JSON.parse(await readFile(join(path, 'adapter_config.json'), 'utf8')) as unknown;
    const r = (config as { r?: unknown } | null)?.r;
    return { kind: 'found', rank: typeof r === 'number' && r > 0 ? r : DEFAULT_LORA_RANK };
  } catch {
    return { kind: 'found', rank: DEFAULT_LORA_RANK };
  }
};
