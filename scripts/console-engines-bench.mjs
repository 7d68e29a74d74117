#!/usr/bin/env node
// Micro-bench of the console feed's engine section at 1,000 nodes (issue #18): one
// consoleEngines() call over N engines (the leader makes one a second, in one event-loop turn),
// sorting from scratch each call (the before) and with a kept IdOrder (the after), interleaved
// round by round in one process so the ratio holds on a shared machine.
// Usage (after `npm run build`): node scripts/console-engines-bench.mjs [ENGINES]
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { IdOrder, consoleEngines } from '../dist/console/index.js';

const engines = Number(process.argv[2] ?? 8000);
const ROUNDS = 30;

let seed = 1;
const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
const states = [];
for (let i = 0; i < engines; i++) {
  const node = `node-${Math.floor(i / 8)}`;
  const id = `${node}-engine-${i % 8}`;
  states.push({
    endpoint: {
      id,
      node,
      model: `bench-model-${i % 8}`,
      url: `http://127.0.0.1:9/${id}`,
      ready: true,
    },
    report: {
      metrics: {
        scrape: { numRequestsRunning: 3, numRequestsWaiting: 1, kvCacheUsageRatio: 0.4 },
        window: { meanTtftSeconds: 0.1, windowMs: 1000, generationTokensPerSecond: 100 },
      },
      adapters: [],
    },
    stale: false,
    agentSaysDown: false,
    gpuFailed: false,
    draining: false,
  });
}
// The store's order is not the id order (node-10 sorts before node-2).
for (let i = states.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [states[i], states[j]] = [states[j], states[i]];
}
const ejected = new Set();
const order = new IdOrder();
const before = [];
const after = [];
for (let r = 0; r < ROUNDS + 5; r++) {
  let t = performance.now();
  consoleEngines(states, ejected);
  const b = performance.now() - t;
  t = performance.now();
  consoleEngines(states, ejected, order);
  const a = performance.now() - t;
  if (r < 5) continue; // the first rounds warm the JIT
  before.push(b);
  after.push(a);
}
const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const mb = median(before);
const ma = median(after);
process.stdout.write(
  `consoleEngines(${engines}): sorted each call ${mb.toFixed(2)} ms, kept order ${ma.toFixed(2)} ms (median of ${ROUNDS}); ratio ${(ma / mb).toFixed(2)}\n`,
);
