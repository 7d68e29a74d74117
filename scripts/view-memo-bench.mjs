#!/usr/bin/env node
// Why the leader's per-engine memos are keyed by the engine, not by its state (issue #18). At
// 1,000 nodes x 8 engines every report replaces its engines' states (~5,000 a second); each lives
// until the next report, past young-generation collections, so dead states are only collected by
// a full collection. A WeakMap keyed by them keeps growing until then, and each growth rehashes it
// whole in one go. This replays 30 s of such replacements (150,000) into a memo keyed each way,
// alternating the two in child processes (fresh heaps), and prints the memo's cost per 50
// replacements (one leader turn's worth): total, worst, and how many took over 5 ms.
// Usage: node scripts/view-memo-bench.mjs [PAIRS]
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const ENGINES = 8000;
const PER_TURN = 50;
const TURNS = 3000;

/** One run of `mode`'s memo; returns its cost per turn. */
function run(mode) {
  const endpoints = Array.from({ length: ENGINES }, (_, i) => ({ id: `e${i}` }));
  const live = new Array(ENGINES); // each state lives until its engine's next report
  const memo = new WeakMap();
  const turns = [];
  let replaced = 0;
  const otherGarbage = []; // one turn's other allocation, dropped at the next turn
  for (let t = 0; t < TURNS; t++) {
    const start = performance.now();
    for (let k = 0; k < PER_TURN; k++, replaced++) {
      const endpoint = endpoints[(replaced * 7919) % ENGINES];
      const state = { endpoint, report: { at: replaced, load: [replaced, 1] }, stale: false };
      live[(replaced * 7919) % ENGINES] = state;
      const view = { id: endpoint.id, at: replaced };
      if (mode === 'state') memo.set(state, view);
      else {
        const kept = memo.get(endpoint);
        if (kept?.state === state) continue;
        if (kept === undefined) memo.set(endpoint, { state, view });
        else Object.assign(kept, { state, view });
      }
    }
    turns.push(performance.now() - start);
    // The rest of a turn's allocation, which is what makes young-generation collections run.
    otherGarbage.length = 0;
    for (let i = 0; i < 300; i++) otherGarbage.push({ i, text: `x${i}` });
  }
  return {
    total: turns.reduce((a, b) => a + b, 0),
    worst: Math.max(...turns),
    over5: turns.filter((d) => d > 5).length,
  };
}

if (process.argv[2] === 'child') {
  process.send?.(run(process.argv[3]));
} else {
  const pairs = Number(process.argv[2] ?? 3);
  const self = fileURLToPath(import.meta.url);
  const inChild = (mode) =>
    new Promise((resolve, reject) => {
      const child = fork(self, ['child', mode]);
      child.once('message', resolve);
      child.once('error', reject);
    });
  for (let p = 0; p < pairs; p++)
    for (const mode of ['state', 'engine']) {
      const r = await inChild(mode);
      process.stdout.write(
        `keyed by ${mode.padEnd(6)} total ${r.total.toFixed(0).padStart(4)} ms, worst turn ${r.worst.toFixed(1).padStart(5)} ms, turns over 5 ms ${r.over5}\n`,
      );
    }
}
