/**
 * The LpSolver port on HiGHS in a worker thread, for the leader. A HiGHS solve is synchronous and
 * takes up to its time budget (hundreds of ms for 3 GPU types × 50 slices); on the leader's own
 * thread it would stall the gateway and the agent hub for that long. The worker loads HiGHS once
 * and stays up between rounds. One solve runs at a time (a round solves its models in turn); a
 * worker that has not answered by the budget plus a grace period is terminated and the solve
 * rejects, so the caller falls back to the greedy allocation and the next solve starts a fresh
 * worker.
 */
import { Worker } from 'node:worker_threads';
import { AppError } from '../../shared/index.js';
import type { LpSolution, LpSolver } from '../solve-allocation.js';
import { highsModulePath, solveLpText } from './highs-solver.js';

/** Options of the worker solver. */
export interface HighsWorkerSolverOptions {
  /** Time past the solve's own budget before the worker is presumed stuck, ms. */
  readonly graceMs?: number;
  /** Extra time the first solve of a worker gets: compiling the WebAssembly module, ms. */
  readonly startMs?: number;
}

// The worker's whole program, CommonJS: `solveLpText` is inlined from its source text so the
// worker runs exactly what the in-process solver runs (it is self-contained for this reason).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const solveLpText = ${solveLpText.toString()};
const loading = require(workerData.highsPath)();
parentPort.on('message', async ({ lpText, timeLimitS }) => {
  try {
    const highs = await loading;
    parentPort.postMessage({ solution: solveLpText(highs, lpText, timeLimitS) });
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err) });
  }
});
`;

interface WorkerAnswer {
  readonly solution?: LpSolution;
  readonly error?: string;
}

/** See the file comment. */
export class HighsWorkerSolver implements LpSolver {
  readonly #graceMs: number;
  readonly #startMs: number;
  #worker: Worker | undefined;
  #started = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: HighsWorkerSolverOptions = {}) {
    this.#graceMs = options.graceMs ?? 2_000;
    this.#startMs = options.startMs ?? 15_000;
  }

  solve(lpText: string, timeLimitS: number): Promise<LpSolution> {
    const run = this.#queue.then(
      () => this.#solveNow(lpText, timeLimitS),
      () => this.#solveNow(lpText, timeLimitS),
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Terminates the worker; a later solve starts a new one. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  #solveNow(lpText: string, timeLimitS: number): Promise<LpSolution> {
    const firstSolve = this.#worker === undefined || !this.#started;
    const worker = (this.#worker ??= this.#spawn());
    const deadlineMs = timeLimitS * 1000 + this.#graceMs + (firstSolve ? this.#startMs : 0);
    return new Promise<LpSolution>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const fail = (message: string): void => {
        done();
        reject(new AppError('OPTIMIZER_SOLVER_FAILED', message));
      };
      const onMessage = (answer: WorkerAnswer): void => {
        done();
        this.#started = true;
        if (answer.solution !== undefined) return resolve(answer.solution);
        // HiGHS may be left in a broken state by an error: the next solve loads it afresh.
        this.#drop(worker);
        void worker.terminate();
        reject(new AppError('OPTIMIZER_SOLVER_FAILED', answer.error ?? 'no answer'));
      };
      const onError = (err: Error): void => {
        this.#drop(worker);
        fail(`solver worker failed: ${err.message}`);
      };
      const onExit = (code: number): void => {
        this.#drop(worker);
        fail(`solver worker exited with code ${code}`);
      };
      const timer = setTimeout(() => {
        this.#drop(worker);
        void worker.terminate();
        fail(`solver worker gave no answer within ${Math.round(deadlineMs)} ms; terminated`);
      }, deadlineMs);
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage({ lpText, timeLimitS });
    });
  }

  #spawn(): Worker {
    this.#started = false;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { highsPath: highsModulePath() },
    });
    // An idle worker must not keep the process alive after the leader stops.
    worker.unref();
    return worker;
  }

  #drop(worker: Worker): void {
    if (this.#worker === worker) this.#worker = undefined;
  }
}
