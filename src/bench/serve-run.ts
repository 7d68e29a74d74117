/**
 * One `bench serve` run (one sweep point): requests leave open-loop on their arrival times (the
 * trace's, or the gamma/Poisson process's), wait for a slot when `--max-concurrency` caps them
 * (as vLLM's semaphore: the clock of a request starts when it is really sent), and the run ends
 * when the last one settles. Aborting the signal stops scheduling and cancels what is in flight.
 */
import { SeededRng, sleep } from '../shared/index.js';
import { arrivalTimesMs } from './serve-arrivals.js';
import { sendStreaming, type ServeTarget } from './serve-client.js';
import type { RequestOutcome } from './serve-metrics.js';
import type { WorkloadRequest } from './serve-workload.js';

/** How one point's load is shaped. */
export interface RunShape {
  /** Requests per second (Infinity = all at once); unused when requests carry `atMs`. */
  readonly rate: number;
  readonly burstiness: number;
  /** Most requests in flight; 0 = no cap. */
  readonly maxConcurrency: number;
  readonly seed: number;
}

/** What a run measured. */
export interface RunResult {
  readonly outcomes: RequestOutcome[];
  /** From the first send to the last request settling. */
  readonly durationMs: number;
}

/** A counting semaphore; waiters are bounded by the run's request count. */
class Slots {
  #free: number;
  readonly #waiters: (() => void)[] = [];
  constructor(n: number) {
    this.#free = n;
  }
  async take(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
  give(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
  }
}

/** Send times for `requests`: their own `atMs` when every one has it, else the arrival process. */
export function scheduleFor(requests: readonly WorkloadRequest[], shape: RunShape): number[] {
  if (requests.length > 0 && requests.every((r) => r.atMs !== undefined))
    return requests.map((r) => r.atMs as number);
  return arrivalTimesMs(requests.length, shape.rate, shape.burstiness, new SeededRng(shape.seed));
}

/** Runs `requests` against `target`; `onSettled` sees each outcome as it lands (progress). */
export async function runLoad(
  target: ServeTarget,
  requests: readonly WorkloadRequest[],
  shape: RunShape,
  signal: AbortSignal,
  onSettled: (o: RequestOutcome) => void = () => undefined,
): Promise<RunResult> {
  const times = scheduleFor(requests, shape);
  const slots = shape.maxConcurrency > 0 ? new Slots(shape.maxConcurrency) : undefined;
  const pending: Promise<RequestOutcome>[] = [];
  const start = performance.now();
  for (let i = 0; i < requests.length; i++) {
    const wait = start + (times[i] ?? 0) - performance.now();
    if (wait >= 1) await sleep(wait, signal);
    if (signal.aborted) break;
    const req = requests[i] as WorkloadRequest;
    pending.push(
      (async () => {
        await slots?.take();
        try {
          const o = await sendStreaming(target, req, start, signal);
          onSettled(o);
          return o;
        } finally {
          slots?.give();
        }
      })(),
    );
  }
  const outcomes = await Promise.all(pending);
  return { outcomes, durationMs: performance.now() - start };
}
