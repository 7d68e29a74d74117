/**
 * The leader's solver: HiGHS in a worker thread. It must answer exactly as the in-process
 * solver does (the worker runs the same function), and a worker that does not answer in time is
 * terminated, the solve rejects with a stable code, and the next solve gets a fresh worker.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HighsWorkerSolver, loadHighsSolver } from '../../../src/optimizer/adapters/index.js';
import { AppError } from '../../../src/shared/index.js';

// 2 chat-sized and 1 summary-sized slices over a big ($4) and a small ($1) GPU type.
const LP = [
  'Minimize',
  ' cost: 4 y0 + 1 y1',
  'Subject To',
  ' serve0: x0_0 + x0_1 = 1',
  ' serve1: x1_0 + x1_1 = 1',
  ' cap0: 1 x0_0 + 1 x1_0 - y0 <= 0',
  ' cap1: 2 x0_1 + 8 x1_1 - y1 <= 0',
  'Bounds',
  ' 0 <= x0_0 <= 1',
  ' 0 <= x0_1 <= 1',
  ' 0 <= x1_0 <= 1',
  ' 0 <= x1_1 <= 1',
  ' y0 >= 0',
  ' y1 >= 0',
  'Generals',
  ' y0 y1',
  'End',
].join('\n');

const solvers: HighsWorkerSolver[] = [];
const aSolver = (options?: ConstructorParameters<typeof HighsWorkerSolver>[0]) => {
  const solver = new HighsWorkerSolver(options);
  solvers.push(solver);
  return solver;
};
afterAll(async () => {
  await Promise.all(solvers.map((s) => s.close()));
});

describe('HighsWorkerSolver', () => {
  it('answers what the in-process solver answers, and serves solves in turn', async () => {
    const worker = aSolver();
    const inProcess = await loadHighsSolver();
    const expected = await inProcess.solve(LP, 5);
    expect(expected.status).toBe('Optimal');
    // Three at once: one worker, one solve at a time, every caller gets its own answer.
    const answers = await Promise.all([1, 2, 3].map(() => worker.solve(LP, 5)));
    for (const answer of answers) expect(answer).toEqual(expected);
    // The mix: chat on the small type (2 × $1), the summary on the big one (1 × $4).
    expect(Math.round(expected.values.y0 ?? -1)).toBe(1);
    expect(Math.round(expected.values.y1 ?? -1)).toBe(2);
  }, 60_000);

  it('answers an infeasible model with its status, so the caller falls back', async () => {
    const worker = aSolver();
    const infeasible = 'Minimize\n cost: y0\nSubject To\n c: y0 >= 5\nBounds\n y0 <= 1\nEnd';
    expect((await worker.solve(infeasible, 5)).status).toBe('Infeasible');
    // The worker stays usable after it.
    expect((await worker.solve(LP, 5)).status).toBe('Optimal');
  }, 60_000);

  it('terminates a worker that misses its deadline; the next solve starts a fresh one', async () => {
    // No grace and no start-up allowance: the deadline passes before the worker can even load.
    const worker = aSolver({ graceMs: 0, startMs: 0 });
    const late = await worker.solve(LP, 0).catch((err: unknown) => err);
    expect(late).toBeInstanceOf(AppError);
    expect((late as AppError).code).toBe('OPTIMIZER_SOLVER_FAILED');
    expect((late as AppError).message).toMatch(/no answer within .* terminated/);
    const next = await worker.solve(LP, 30);
    expect(next.status).toBe('Optimal');
  }, 60_000);
});
