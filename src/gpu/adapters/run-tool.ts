/**
 * Runs a GPU tool through execa with a named timeout and the caller's signal, `reject: false`,
 * and maps how it ended to `GPU_*` AppError codes. A tool stuck in the kernel (nvidia-smi in D
 * state ignores even SIGKILL) must not hang the agent: the run is abandoned after
 * `timeoutMs + killGraceMs`, and the next run refuses to start while that child is still alive.
 */
import { execa } from 'execa';
import { AppError } from '../../shared/index.js';

/** How a tool ended when it ran to an exit code (0 or not). */
export interface ToolResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Options of one run. */
export interface ToolRunOptions {
  readonly signal: AbortSignal;
  /** `gpu.probeTimeoutMs`: SIGTERM after this, ms. */
  readonly timeoutMs: number;
  /** Extra wait after the timeout for the child to exit (SIGKILL is sent at its start), ms. Default 2000. */
  readonly killGraceMs?: number;
  /** Environment for the child; default the agent's own (PATH included). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Largest stdout/stderr kept from a tool, bytes (8 GPUs × 28 fields is ~4 KiB). */
export const TOOL_MAX_BUFFER_BYTES = 4 * 1024 * 1024;

/** Runs one tool at a time; see the module comment. */
export class ToolRunner {
  readonly #file: string;
  #inFlight: Promise<unknown> | null = null;

  /** `file` is the command name (looked up on PATH) or a path. */
  constructor(file: string) {
    this.#file = file;
  }

  /**
   * Runs the tool. Resolves with its output and exit code (non-zero included: the parsers decide
   * whether the output is usable). Throws AppError `GPU_PROBE_NOT_FOUND` (ENOENT),
   * `GPU_PROBE_TIMEOUT`, `GPU_PROBE_ABORTED`, `GPU_PROBE_KILLED` (by a signal) or
   * `GPU_PROBE_EXIT_NONZERO` (other spawn failures).
   */
  async run(args: readonly string[], options: ToolRunOptions): Promise<ToolResult> {
    const cmd = `${this.#file} ${args[0] ?? ''}`.trim();
    if (options.signal.aborted) throw new AppError('GPU_PROBE_ABORTED', `${cmd}: aborted`);
    if (this.#inFlight !== null)
      throw new AppError('GPU_PROBE_TIMEOUT', `${cmd}: previous run is still alive (stuck tool)`);
    const killGraceMs = options.killGraceMs ?? 2000;
    const child = execa(this.#file, args, {
      reject: false,
      timeout: options.timeoutMs,
      cancelSignal: options.signal,
      forceKillAfterDelay: Math.min(killGraceMs, 1000),
      maxBuffer: TOOL_MAX_BUFFER_BYTES,
      stdin: 'ignore',
      ...(options.env === undefined ? {} : { env: options.env, extendEnv: false }),
    });
    const settled = child.then(
      () => undefined,
      () => undefined,
    );
    this.#inFlight = settled;
    void settled.then(() => {
      if (this.#inFlight === settled) this.#inFlight = null;
    });
    let timer: NodeJS.Timeout | undefined;
    const abandon = new Promise<'abandoned'>((resolve) => {
      timer = setTimeout(() => resolve('abandoned'), options.timeoutMs + killGraceMs);
    });
    try {
      const r = await Promise.race([child, abandon]);
      // The child has exited once its result is here: free the slot now, not a microtask later,
      // so a follow-up run (nvidia-smi -L after the query) is not refused.
      if (r !== 'abandoned' && this.#inFlight === settled) this.#inFlight = null;
      if (r === 'abandoned')
        throw new AppError(
          'GPU_PROBE_TIMEOUT',
          `${cmd}: did not exit after ${options.timeoutMs} ms and SIGKILL`,
        );
      if (r.timedOut)
        throw new AppError('GPU_PROBE_TIMEOUT', `${cmd}: timed out after ${options.timeoutMs} ms`, {
          cause: r,
        });
      if (r.isCanceled) throw new AppError('GPU_PROBE_ABORTED', `${cmd}: aborted`, { cause: r });
      if (r.code === 'ENOENT')
        throw new AppError('GPU_PROBE_NOT_FOUND', `${this.#file}: not found on PATH`, { cause: r });
      if (r.signal !== undefined)
        throw new AppError('GPU_PROBE_KILLED', `${cmd}: killed by ${r.signal}`, { cause: r });
      if (r.exitCode === undefined)
        throw new AppError(
          'GPU_PROBE_EXIT_NONZERO',
          `${cmd}: ${r.shortMessage ?? 'failed to run'}`,
          { cause: r },
        );
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    } finally {
      clearTimeout(timer);
    }
  }
}
