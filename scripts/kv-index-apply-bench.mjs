#!/usr/bin/env node
// Micro-bench of the leader's global KV block index apply (issue #18) per sampling factor
// (routing.prefixCache.blockIndexSampleEvery): 1,000 nodes x 8 engines, each engine holding 100
// blocks, 100 blocks stored per node per round and the oldest removed -- the load of
// `bench leader` at its defaults for one second. Factors interleave in one process so their
// ratio holds on a shared machine; every 64 keeps almost nothing and so shows the loop's own
// cost (building the batches), to subtract.
// Usage (after `npm run build`): node scripts/kv-index-apply-bench.mjs
import process from 'node:process';
import { GlobalBlockIndex } from '../dist/kvcache/index.js';
function run(every, rounds) {
  const idx = new GlobalBlockIndex({
    maxEntries: 1_000_000,
    maxBlocksPerNode: 500_000,
    sampleEvery: every,
  });
  const held = [];
  let next = 0;
  const seqs = new Array(1000).fill(0);
  for (let n = 0; n < 1000; n++) {
    held.push(Array.from({ length: 8 }, () => []));
    idx.apply(`node-${n}`, { seq: ++seqs[n], reset: true, deltas: [] });
  }
  const step = (n) => {
    const deltas = Array.from({ length: 8 }, (_, e) => ({
      tier: 'gpu',
      engineId: `node-${n}/e${e}`,
      stored: [],
      removed: [],
    }));
    for (let i = 0; i < 100; i++) {
      const e = i % 8;
      const h = n * 2 ** 32 + (next++ % 2 ** 32) + 1;
      held[n][e].push(h);
      deltas[e].stored.push(h);
      if (held[n][e].length > 100) deltas[e].removed.push(held[n][e].shift());
    }
    idx.apply(`node-${n}`, { seq: ++seqs[n], deltas });
  };
  for (let r = 0; r < 20; r++) for (let n = 0; n < 1000; n++) step(n); // warm: fill to steady state
  const t0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) for (let n = 0; n < 1000; n++) step(n);
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / 1000 / rounds; // ms per round (1000 nodes x 100 blocks)
}
const lines = [];
for (const every of [1, 4, 64, 1, 4, 64])
  lines.push(
    `every ${every}: ${run(every, 20).toFixed(1)} ms CPU per round (100k stored, 100k removed)`,
  );
process.stdout.write(`${lines.join('\n')}\n`);
