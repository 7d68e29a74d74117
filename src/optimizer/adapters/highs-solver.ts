/**
 * The LpSolver port on HiGHS compiled to WebAssembly (the `highs` package), in process: for the
 * bench and tests. The leader runs the same solve in a worker thread (highs-worker-solver.ts),
 * because a solve is synchronous and its event loop also serves the gateway.
 */
import { createRequire } from 'node:module';
import highsModule from 'highs';
import type { LpSolution, LpSolver } from '../solve-allocation.js';

// A CommonJS package whose types declare `export default`: under NodeNext the default import
// is module.exports, which is the loader function itself.
const loadHighs = highsModule as unknown as typeof highsModule.default;

/** The part of a loaded HiGHS module that a solve uses. */
export type HighsInstance = Pick<Awaited<ReturnType<typeof loadHighs>>, 'solve'>;

/**
 * One solve, bounded by HiGHS's own `time_limit`. Self-contained on purpose (no closure, no
 * import, plain JavaScript once types are stripped): the worker solver runs this very function
 * from its source text, so the two ways of solving cannot drift apart.
 */
export function solveLpText(highs: HighsInstance, lpText: string, timeLimitS: number): LpSolution {
  const result = highs.solve(lpText, {
    output_flag: false,
    time_limit: Math.max(1e-3, timeLimitS),
    // One thread in WebAssembly anyway; a fixed seed keeps answers reproducible.
    random_seed: 1,
  });
  const values: Record<string, number> = {};
  for (const [name, column] of Object.entries(result.Columns) as [string, { Primal?: unknown }][])
    if (typeof column.Primal === 'number') values[name] = column.Primal;
  return { status: result.Status, values };
}

/** Loads HiGHS in this thread and returns the solver port. */
export async function loadHighsSolver(): Promise<LpSolver> {
  const highs = await loadHighs();
  return { solve: (lpText, timeLimitS) => Promise.resolve(solveLpText(highs, lpText, timeLimitS)) };
}

/** Where `highs` (its CommonJS build) resolves from here, for a worker that loads the same module. */
export function highsModulePath(): string {
  return createRequire(import.meta.url).resolve('highs');
}
