/**
 * `NvidiaSmiGpuProbe`: runs `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` (and `-L`
 * when MIG is on) and hands the text to the pure parsers. Fields an older driver does not know are
 * dropped once, when the tool says `Field "…" is not a valid field to query`.
 */
import type { Logger } from '../../shared/index.js';
import { AppError } from '../../shared/index.js';
import type { CallOptions, GpuProbe } from '../gpu-probe.js';
import {
  NVIDIA_LIST_ARGS,
  NVIDIA_OPTIONAL_FIELDS,
  NVIDIA_QUERY_FIELDS,
  nvidiaQueryArgs,
} from '../nvidia-fields.js';
import { parseNvidiaSmiList } from '../parse-nvidia-smi-list.js';
import { parseNvidiaSmiQuery } from '../parse-nvidia-smi.js';
import type { GpuFacts, GpuSample } from '../gpu-facts.js';
import { ToolRunner, type ToolResult } from './run-tool.js';

/** Constructor options. */
export interface NvidiaSmiGpuProbeOptions {
  /** `gpu.probeTimeoutMs` per tool run, ms. */
  readonly timeoutMs: number;
  readonly log: Logger;
  /** Command name or path. Default `nvidia-smi` (looked up on PATH). */
  readonly file?: string;
}

const INVALID_FIELD = /Field "([^"]+)" is not a valid field to query/;
const NO_DRIVER = /couldn't communicate with the NVIDIA driver|NVIDIA-SMI has failed/i;
const NO_DEVICES = /No devices were found/i;

/** The nvidia-smi adapter of {@link GpuProbe}. */
export class NvidiaSmiGpuProbe implements GpuProbe {
  readonly tool = 'nvidia-smi' as const;
  readonly #runner: ToolRunner;
  readonly #options: NvidiaSmiGpuProbeOptions;
  #fields: string[] = [...NVIDIA_QUERY_FIELDS];

  constructor(options: NvidiaSmiGpuProbeOptions) {
    this.#options = options;
    this.#runner = new ToolRunner(options.file ?? 'nvidia-smi');
  }

  /** The field list the next query will use (all of {@link NVIDIA_QUERY_FIELDS} until a drop). */
  get fields(): readonly string[] {
    return this.#fields;
  }

  /** One probe cycle. Throws AppError `GPU_*` (see ToolRunner.run, plus DRIVER_UNAVAILABLE / OUTPUT_INVALID). */
  async sample({ signal }: CallOptions): Promise<GpuSample> {
    for (;;) {
      const r = await this.#runner.run(nvidiaQueryArgs(this.#fields), {
        signal,
        timeoutMs: this.#options.timeoutMs,
      });
      const text = `${r.stdout}\n${r.stderr}`;
      const invalid = INVALID_FIELD.exec(text)?.[1];
      if (invalid !== undefined && r.exitCode !== 0 && this.#canDrop(invalid)) {
        this.#options.log.warn(
          { field: invalid },
          'nvidia-smi does not know a query field: dropped',
        );
        this.#fields = this.#fields.filter((f) => f !== invalid);
        continue;
      }
      return this.#toSample(r, text, signal);
    }
  }

  #canDrop(field: string): boolean {
    return (
      (NVIDIA_OPTIONAL_FIELDS as readonly string[]).includes(field) && this.#fields.includes(field)
    );
  }

  async #toSample(r: ToolResult, text: string, signal: AbortSignal): Promise<GpuSample> {
    const parsed = parseNvidiaSmiQuery(text, this.#fields);
    if (parsed.gpus.length === 0 && parsed.lost.length === 0) {
      const first = text.trim().split(/\r?\n/)[0] ?? '';
      if (NO_DEVICES.test(text)) return { tool: this.tool, gpus: [], lost: [] };
      if (NO_DRIVER.test(text))
        throw new AppError('GPU_DRIVER_UNAVAILABLE', `nvidia-smi: ${first}`);
      if (r.exitCode !== 0)
        throw new AppError('GPU_PROBE_EXIT_NONZERO', `nvidia-smi exited ${r.exitCode}: ${first}`, {
          detail: { exitCode: r.exitCode },
        });
      if (parsed.unparsed.length > 0)
        throw new AppError(
          'GPU_PROBE_OUTPUT_INVALID',
          `nvidia-smi output not understood: ${first}`,
        );
    }
    if (parsed.unparsed.length > 0)
      this.#options.log.debug(
        { lines: parsed.unparsed.slice(0, 5) },
        'nvidia-smi: lines not understood',
      );
    const gpus = parsed.gpus.some((g) => g.migEnabled)
      ? await this.#withMig(parsed.gpus, signal)
      : parsed.gpus;
    return { tool: this.tool, gpus, lost: parsed.lost };
  }

  async #withMig(gpus: GpuFacts[], signal: AbortSignal): Promise<GpuFacts[]> {
    try {
      const r = await this.#runner.run(NVIDIA_LIST_ARGS, {
        signal,
        timeoutMs: this.#options.timeoutMs,
      });
      const listed = parseNvidiaSmiList(r.stdout);
      return gpus.map((g) => {
        const match = listed.find(
          (l) => (g.uuid !== '' && l.uuid === g.uuid) || l.index === g.index,
        );
        return match === undefined ? g : { ...g, migDevices: match.migDevices };
      });
    } catch (err) {
      // MIG listing is best effort: the GPU facts are still good without it.
      this.#options.log.debug({ err }, 'nvidia-smi -L failed; MIG devices unknown this cycle');
      return gpus;
    }
  }
}
