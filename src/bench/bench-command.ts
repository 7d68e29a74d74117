import type { Command } from '../shared/index.js';
import { defineCommand } from '../shared/index.js';
import { BENCH_SCENARIOS } from './scenarios.js';

/** The `bench` command group: each scenario is a subcommand with its own flags and --help. */
export const benchCommand: Command = defineCommand({
  name: 'bench',
  summary: 'run a benchmark scenario and write its results to bench/results/',
  usage: 'infernode bench <scenario> [options]',
  envPrefix: 'BENCH',
  spec: {},
  subcommands: BENCH_SCENARIOS,
  run: () => Promise.resolve(1),
});
