#!/usr/bin/env node
// Offline check of the L1 eviction policies on the Mooncake trace (issue #14): the trace's hash
// ids (512 tokens each) go through the real BlockStore (dist/, so `npm run build` first). Each
// request reads its chain past the shared first block from L1 (the longest run, each read a
// policy access), then puts the whole chain (every computed block is offloaded sooner or later).
// No GPU tier and no timing: it isolates what the policy keeps for a reuse ~100 s later.
// Usage: node scripts/kv-l1-policy-replay.mjs [SECONDS=600] [CAPACITY_BLOCKS...]
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { BlockStore } from '../dist/kvcache/index.js';

const TRACE = '/work/shared/traces/mooncake-conversation.jsonl';
const [secondsArg = '600', ...capArgs] = process.argv.slice(2);
const caps = capArgs.length > 0 ? capArgs.map(Number) : [4096, 8192, 16384];
const window = readFileSync(process.env.TRACE ?? TRACE, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line))
  .filter((e) => e.timestamp < Number(secondsArg) * 1000);
const chains = window.map((e) => e.hash_ids.slice(1));
const total = chains.reduce((a, c) => a + c.length, 0);

const seen = new Set();
let unbounded = 0;
for (const chain of chains) {
  let n = 0;
  while (n < chain.length && seen.has(chain[n])) n++;
  unbounded += n;
  for (const h of chain) seen.add(h);
}
process.stdout.write(
  `window ${secondsArg} s: ${window.length} requests, ${total} blocks past the first; ` +
    `unbounded cache hit ${(unbounded / total).toFixed(4)}\n`,
);

const payload = new Uint8Array(1024);
for (const cap of caps) {
  const row = [];
  for (const policy of ['s3fifo', 'lru']) {
    const store = new BlockStore({
      budgetBytes: cap * 1024,
      slabBytes: 1024 * 1024,
      slotSizes: [1024],
      policy,
    });
    let hits = 0;
    for (const chain of chains) {
      let n = 0;
      for (; n < chain.length; n++) {
        const view = store.get(chain[n]);
        if (view === undefined) break;
        view.release();
      }
      hits += n;
      for (const h of chain) store.put(h, payload);
    }
    row.push(`${policy} ${(hits / total).toFixed(4)}`);
  }
  process.stdout.write(
    `capacity ${cap} blocks (${((cap * 512) / 1e6).toFixed(1)}M tokens): ${row.join(', ')}\n`,
  );
}
