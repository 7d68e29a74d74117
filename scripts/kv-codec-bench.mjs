#!/usr/bin/env node
// Micro-bench of the agent → leader `kv` message (issue #18): the leader's decode + validation of
// one realistic batch as JSON (decodeAgentMessage: JSON.parse + checkKv) and as a binary frame
// (decodeKvBinary), the agent's encode of each, and their bytes. Both forms interleave round by
// round in one process, so the ratios hold on a shared machine even when the µs drift.
// Usage (after `npm run build`): node scripts/kv-codec-bench.mjs [ENGINES] [STORED] [REMOVED]
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { decodeAgentMessage, decodeKvBinary, encodeKvBinary } from '../dist/protocol/index.js';

const [engines = 8, stored = 200, removed = 200] = process.argv.slice(2).map(Number);
const ROUNDS = 15;
const PER_ROUND = 200;

// Chained block hashes are uniform 52-bit values: ~16 decimal digits each in JSON.
let state = 0x9e3779b9;
const u32 = () => {
  // mulberry32: a fixed seed, so every run measures the same batch.
  state = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
};
const hash = () => (u32() % 2 ** 20) * 2 ** 32 + u32();
const message = {
  v: 1,
  type: 'kv',
  seq: 12345,
  deltas: Array.from({ length: engines }, (_, e) => ({
    tier: 'gpu',
    engineId: `node-0042/engine-${e}`,
    removed: Array.from({ length: removed }, hash),
    stored: Array.from({ length: stored }, hash),
  })),
};
const json = Buffer.from(JSON.stringify(message));
// ws hands the leader a Buffer at any offset inside a larger one (a pool): measure that too.
const encoded = encodeKvBinary(message);
const host = Buffer.alloc(encoded.length + 13);
host.set(encoded, 5);
const binaryUnaligned = host.subarray(5, 5 + encoded.length);
const binaryAligned = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.length);

const check = (d) => {
  if (!d.ok) throw new Error(d.reason);
  return d.message;
};
if (JSON.stringify(check(decodeKvBinary(binaryUnaligned))) !== JSON.stringify(message))
  throw new Error('binary round trip differs');
check(decodeAgentMessage(json));

const cases = {
  'decode JSON (parse + checkKv)': () => decodeAgentMessage(json),
  'decode binary (aligned)': () => decodeKvBinary(binaryAligned),
  'decode binary (at an odd offset)': () => decodeKvBinary(binaryUnaligned),
  'encode JSON (stringify)': () => JSON.stringify(message),
  'encode binary': () => encodeKvBinary(message),
};
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
let sink = 0;
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of Object.entries(cases)) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < PER_ROUND; i++) sink += run() === undefined ? 0 : 1;
    samples[name].push(Number(process.hrtime.bigint() - t0) / 1000 / PER_ROUND);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const hashes = engines * (stored + removed);
const out = [
  `kv batch: ${engines} engines × (${stored} stored + ${removed} removed) = ${hashes} hashes`,
  `bytes: JSON ${json.length}, binary ${encoded.length} (${(encoded.length / json.length).toFixed(2)} × JSON)`,
  `median of ${ROUNDS} rounds × ${PER_ROUND} messages (first round is warm-up and counts):`,
];
const jsonDecode = median(samples['decode JSON (parse + checkKv)']);
const jsonEncode = median(samples['encode JSON (stringify)']);
for (const [name, xs] of Object.entries(samples)) {
  const base = name.startsWith('decode') ? jsonDecode : jsonEncode;
  out.push(
    `  ${name.padEnd(36)} ${median(xs).toFixed(1).padStart(8)} µs   ${(median(xs) / base).toFixed(3)} × JSON`,
  );
}
process.stdout.write(`${out.join('\n')}\n${sink > 0 ? '' : 'no work\n'}`);
