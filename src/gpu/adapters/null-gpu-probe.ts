/** `NullGpuProbe`: the probe of a node without GPU tools (STYLE.md §3). It reports zero GPUs. */
import type { GpuProbe } from '../gpu-probe.js';
import type { GpuSample } from '../gpu-facts.js';

/** Reports zero GPUs, never fails. The monitor sets `infernode_gpu_probe_up` to 0 for it. */
export class NullGpuProbe implements GpuProbe {
  readonly tool = 'none' as const;

  sample(): Promise<GpuSample> {
    return Promise.resolve({ tool: 'none', gpus: [], lost: [] });
  }
}
