/**
 * The file-system side of loading an adapter: does `lora_path` exist, and what rank does its
 * `adapter_config.json` declare (PEFT field `r`)? vLLM downloads non-local paths from the
 * Hugging Face Hub; the simulator cannot, so it accepts a Hub-style id (`org/name`) as if the
 * download succeeded, with the default rank.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LORA_BYTES_PER_RANK } from './lora-cost.js';
import type { AdapterProbe } from './lora-registry.js';

/** Rank assumed when an adapter has no readable `adapter_config.json`. */
export const DEFAULT_LORA_RANK = 8;

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/** Most directory entries sized (an adapter has two or three files). */
const MAX_SIZED_ENTRIES = 64;

/** Bytes of the regular files directly in `path` (the adapter's weights and config). */
async function directoryBytes(path: string): Promise<number> {
  const entries = (await readdir(path, { withFileTypes: true })).slice(0, MAX_SIZED_ENTRIES);
  const sizes = await Promise.all(
    entries.filter((e) => e.isFile()).map(async (e) => (await stat(join(path, e.name))).size),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

async function rankAt(path: string): Promise<number> {
  try {
    const config = JSON.parse(await readFile(join(path, 'adapter_config.json'), 'utf8')) as unknown;
    const r = (config as { r?: unknown } | null)?.r;
    return typeof r === 'number' && r > 0 ? r : DEFAULT_LORA_RANK;
  } catch {
    return DEFAULT_LORA_RANK;
  }
}

/**
 * Probes a local adapter directory (or accepts a Hub id, sized by its rank as if downloaded).
 * Never throws.
 */
export const fileAdapterProbe: AdapterProbe = async (path) => {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch {
    return HUB_ID.test(path)
      ? { kind: 'found', rank: DEFAULT_LORA_RANK, bytes: DEFAULT_LORA_RANK * LORA_BYTES_PER_RANK }
      : { kind: 'missing' };
  }
  const rank = await rankAt(path);
  const bytes = isDirectory
    ? await directoryBytes(path).catch(() => rank * LORA_BYTES_PER_RANK)
    : rank * LORA_BYTES_PER_RANK;
  return { kind: 'found', rank, bytes };
};
