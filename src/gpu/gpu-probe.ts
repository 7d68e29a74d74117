/**
 * The ports of the GPU area (STYLE.md §2): small interfaces named for their role. Adapters in
 * `adapters/` implement them with execa, node:fs and node:os; tests use fakes.
 */
import type { GpuSample, GpuVendorTool, HostFacts } from './gpu-facts.js';

/** Per-call options of every port method (STYLE.md §11). */
export interface CallOptions {
  /** Aborts the call; the adapter also applies its own named timeout. */
  readonly signal: AbortSignal;
}

/**
 * Reads every GPU's facts once. Throws an AppError with a `GPU_*` code when the tool cannot be
 * run or its output cannot be used; a GPU the tool names but cannot read is a `lost` entry of the
 * sample, not an error.
 */
export interface GpuProbe {
  readonly tool: GpuVendorTool;
  sample(options: CallOptions): Promise<GpuSample>;
}

/**
 * New kernel-log lines since the previous call (the source remembers its offset / sequence and
 * starts again from the top after truncation or rotation). Bounded: at most the configured number
 * of lines per call. Throws an AppError `GPU_KMSG_READ_FAILED` when the log cannot be read.
 */
export interface KernelLogSource {
  readNewLines(options: CallOptions): Promise<string[]>;
}

/** Reads host facts; `cachePath` is the node cache directory whose disk is reported. */
export interface HostProbe {
  sample(cachePath: string, options: CallOptions): Promise<HostFacts>;
}
