/** `RocmSmiGpuProbe`: runs `rocm-smi … --json` ({@link ROCM_SMI_ARGS}) and parses it purely. */
import { AppError } from '../../shared/index.js';
import type { CallOptions, GpuProbe } from '../gpu-probe.js';
import { ROCM_SMI_ARGS, parseRocmSmiJson } from '../parse-rocm-smi.js';
import type { GpuSample } from '../gpu-facts.js';
import { ToolRunner } from './run-tool.js';

/** Constructor options. */
export interface RocmSmiGpuProbeOptions {
  /** `gpu.probeTimeoutMs`, ms. */
  readonly timeoutMs: number;
  /** Command name or path. Default `rocm-smi`. */
  readonly file?: string;
}

/** The rocm-smi adapter of {@link GpuProbe}. */
export class RocmSmiGpuProbe implements GpuProbe {
  readonly tool = 'rocm-smi' as const;
  readonly #runner: ToolRunner;
  readonly #timeoutMs: number;

  constructor(options: RocmSmiGpuProbeOptions) {
    this.#runner = new ToolRunner(options.file ?? 'rocm-smi');
    this.#timeoutMs = options.timeoutMs;
  }

  /**
   * One probe cycle. rocm-smi exits non-zero when one of many flags is unsupported on a card but
   * still prints good JSON, so the JSON decides; a non-zero exit without it is
   * `GPU_PROBE_EXIT_NONZERO`, exit 0 with bad JSON `GPU_PROBE_OUTPUT_INVALID`.
   */
  async sample({ signal }: CallOptions): Promise<GpuSample> {
    const r = await this.#runner.run(ROCM_SMI_ARGS, { signal, timeoutMs: this.#timeoutMs });
    const parsed = parseRocmSmiJson(r.stdout);
    if (parsed.kind === 'ok') return { tool: this.tool, gpus: parsed.gpus, lost: [] };
    const first = `${r.stdout}\n${r.stderr}`.trim().split(/\r?\n/)[0] ?? '';
    if (r.exitCode !== 0)
      throw new AppError('GPU_PROBE_EXIT_NONZERO', `rocm-smi exited ${r.exitCode}: ${first}`, {
        detail: { exitCode: r.exitCode },
      });
    throw new AppError('GPU_PROBE_OUTPUT_INVALID', parsed.message);
  }
}
