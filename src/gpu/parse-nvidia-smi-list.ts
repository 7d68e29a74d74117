/**
 * Pure parser for `nvidia-smi -L`: each GPU line and the MIG device lines under it.
 *
 * ```
 * GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-63d1e50a-…)
 *   MIG 1g.10gb     Device  0: (UUID: MIG-4d0efb7d-…)
 * ```
 */
import type { MigDeviceFacts } from './gpu-facts.js';

/** One GPU of the `-L` listing with its MIG devices (empty when MIG is off). */
export interface ListedGpu {
  readonly index: number;
  readonly name: string;
  readonly uuid: string;
  readonly migDevices: MigDeviceFacts[];
}

const GPU_LINE = /^GPU (\d+): (.+?) \(UUID: (GPU-[0-9A-Fa-f-]+)\)/;
const MIG_LINE = /^\s*MIG (\S+)\s+Device\s+(\d+): \(UUID: (MIG-[0-9A-Fa-f-]+)\)/;

/** Parses `nvidia-smi -L` output (CRLF tolerated). Unknown lines are skipped. Never throws. */
export function parseNvidiaSmiList(text: string): ListedGpu[] {
  const gpus: ListedGpu[] = [];
  for (const line of text.split(/\r?\n/)) {
    const gpu = GPU_LINE.exec(line);
    if (gpu !== null) {
      gpus.push({
        index: Number(gpu[1]),
        name: gpu[2] ?? '',
        uuid: gpu[3] ?? '',
        migDevices: [],
      });
      continue;
    }
    const mig = MIG_LINE.exec(line);
    const parent = gpus[gpus.length - 1];
    if (mig !== null && parent !== undefined) {
      parent.migDevices.push({ index: Number(mig[2]), profile: mig[1] ?? '', uuid: mig[3] ?? '' });
    }
  }
  return gpus;
}
