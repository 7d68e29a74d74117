/**
 * The LpSolver port on HiGHS compiled to WebAssembly (the `highs` package). Loading compiles the
 * module once (tens of ms); each solve is synchronous and bounded by HiGHS's own `time_limit`,
 * so a hard model stops at the budget instead of blocking the leader's event loop for long.
 */
import highsModule from 'highs';
import type { LpSolution, LpSolver } from '../solve-allocation.js';

// A CommonJS package whose types declare `export default`: under NodeNext the default import
// is module.exports, which is the loader function itself.
const loadHighs = highsModule as unknown as typeof highsModule.default;

/** Loads HiGHS and returns the solver port. */
export async function loadHighsSolver(): Promise<LpSolver> {
  const highs = await loadHighs();
  return {
    solve(lpText: string, timeLimitS: number): LpSolution {
      const result = highs.solve(lpText, {
        output_flag: false,
        time_limit: Math.max(1e-3, timeLimitS),
        // One thread in WebAssembly anyway; a fixed seed keeps answers reproducible.
        random_seed: 1,
      });
      const values: Record<string, number> = {};
      for (const [name, column] of Object.entries(result.Columns) as [
        string,
        { Primal?: unknown },
      ][])
        if (typeof column.Primal === 'number') values[name] = column.Primal;
      return { status: result.Status, values };
    },
  };
}
