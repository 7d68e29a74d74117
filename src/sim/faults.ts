/**
 * Fault injection for the simulator, settable at start (flags / SimServerOptions.faults) and at
 * run time (`POST /admin/faults`). Each fault is documented where a test or an operator reads it.
 */

/** The simulator's fault knobs. All off by default. */
export interface SimFaults {
  /**
   * Slow start: the engine is "loading" for this long, milliseconds, counted from server start
   * (or from the moment it is set at run time). Meanwhile `GET /health` and every inference,
   * model, tokenize and LoRA endpoint answer 503. Default 0.
   */
  readonly slowStartMs: number;
  /** Fraction 0–1 of inference requests answered 500 in vLLM's error shape. Default 0. */
  readonly errorRate: number;
  /**
   * Fraction 0–1 of inference requests that hang before headers: the body is read and no byte is
   * ever written, until the client gives up (or the server closes). Default 0.
   */
  readonly hangRate: number;
  /**
   * Drop mid-stream: destroy the socket of every streaming response after this many token chunks
   * (no `[DONE]`, no final chunk). 0 = off. Default 0.
   */
  readonly dropAfterChunks: number;
  /**
   * Death: this long after start (or after being set), milliseconds, the engine dies. Under
   * `infernode sim` the process exits with `exitCode`; in-process (`startSimServer`) the server
   * destroys every connection and stops listening. -1 = never. Default -1.
   */
  readonly exitAfterMs: number;
  /** Exit status for `exitAfterMs` under `infernode sim`. Default 1. */
  readonly exitCode: number;
}

/** Every fault off. */
export const NO_FAULTS: SimFaults = Object.freeze({
  slowStartMs: 0,
  errorRate: 0,
  hangRate: 0,
  dropAfterChunks: 0,
  exitAfterMs: -1,
  exitCode: 1,
});

const RANGES: Readonly<Record<keyof SimFaults, readonly [number, number, boolean]>> = {
  slowStartMs: [0, 86_400_000, true],
  errorRate: [0, 1, false],
  hangRate: [0, 1, false],
  dropAfterChunks: [0, 1_000_000, true],
  exitAfterMs: [-1, 86_400_000, true],
  exitCode: [0, 255, true],
};

/**
 * Validates a JSON body as a partial SimFaults. Returns the fields or a message naming every
 * bad field (unknown keys included).
 */
export function parseFaults(body: unknown): { faults: Partial<SimFaults> } | { error: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { error: 'faults must be a JSON object' };
  }
  const out: Record<string, number> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const range = RANGES[key as keyof SimFaults] as (typeof RANGES)[keyof SimFaults] | undefined;
    if (range === undefined) {
      problems.push(`${key}: unknown fault; valid: ${Object.keys(RANGES).join(', ')}`);
      continue;
    }
    const [min, max, isInt] = range;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      problems.push(`${key}: must be a number in [${min}, ${max}]`);
    } else if (isInt && !Number.isInteger(value)) {
      problems.push(`${key}: must be an integer`);
    } else {
      out[key] = value;
    }
  }
  return problems.length > 0 ? { error: problems.join('; ') } : { faults: out };
}
