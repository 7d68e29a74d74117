/**
 * Picks the GPU probe by what is on PATH (the agent's `up` passes PATH through, so fake tools on
 * PATH are found): nvidia-smi first, then rocm-smi, else {@link NullGpuProbe}.
 */
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { AppError, type Logger } from '../../shared/index.js';
import type { GpuConfig } from '../gpu-config.js';
import type { GpuProbe } from '../gpu-probe.js';
import { NullGpuProbe } from './null-gpu-probe.js';
import { NvidiaSmiGpuProbe } from './nvidia-smi-probe.js';
import { RocmSmiGpuProbe } from './rocm-smi-probe.js';

/** Options of {@link createGpuProbe}. */
export interface CreateGpuProbeOptions {
  readonly config: Pick<GpuConfig, 'tool' | 'probeTimeoutMs' | 'failOnProbeError'>;
  readonly log: Logger;
  /** Where to look; default `process.env.PATH`. */
  readonly path?: string;
}

/** The first executable named `name` on `path`, or `null`. */
export async function findOnPath(name: string, path: string): Promise<string | null> {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/**
 * Builds the probe for `config.tool` (`auto` picks by PATH). With no tool found it logs once and
 * returns a NullGpuProbe, or, when `gpu.failOnProbeError` is set, throws AppError
 * `GPU_PROBE_NOT_FOUND` so startup fails.
 */
export async function createGpuProbe(options: CreateGpuProbeOptions): Promise<GpuProbe> {
  const { config, log } = options;
  const path = options.path ?? process.env.PATH ?? '';
  const candidates =
    config.tool === 'auto'
      ? (['nvidia-smi', 'rocm-smi'] as const)
      : config.tool === 'none'
        ? []
        : [config.tool];
  for (const tool of candidates) {
    const file = await findOnPath(tool, path);
    if (file === null) continue;
    log.info({ tool, file }, 'GPU probe selected');
    return tool === 'nvidia-smi'
      ? new NvidiaSmiGpuProbe({ timeoutMs: config.probeTimeoutMs, log, file })
      : new RocmSmiGpuProbe({ timeoutMs: config.probeTimeoutMs, file });
  }
  if (config.tool !== 'none' && config.failOnProbeError)
    throw new AppError('GPU_PROBE_NOT_FOUND', `no GPU tool (${candidates.join(', ')}) on PATH`);
  log.warn({ tool: config.tool, looked: candidates }, 'no GPU tool found: reporting zero GPUs');
  return new NullGpuProbe();
}
