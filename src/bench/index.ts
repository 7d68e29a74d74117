/**
 * `infernode bench <scenario>`: benchmarks, not tests. Each scenario measures ratios in one run
 * (the machine is shared and noisy) and writes a JSON result under `bench/results/`.
 */
export { benchCommand } from './bench-command.js';
export { writeBenchResult } from './results.js';
