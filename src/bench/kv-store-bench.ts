/**
 * `infernode bench kv-store`: what the agent's L1 block store and the native block codec cost
 * in CPU, in process (no sockets): put / get throughput for 2 MiB blocks (a 16-token Llama-3-8B
 * block) and 16 KiB blocks, filling the store and then in steady state with evictions, and the
 * codec's encode / decode MB/s on 32-block frames (decode fed in 64 KiB chunks, as TCP gives).
 * Each store figure comes with two baselines taken in the same run (a copy into memory already
 * touched, a copy into a fresh allocation), since on a shared VM the memory system, not the
 * store, sets the absolute numbers. The loopback bench against raw TCP is `bench kv` (issue #14),
 * built on the block service.
 */
import os from 'node:os';
import {
  BlockStore,
  createRequestDecoder,
  payloadParts,
  ReceivePool,
  encodeRequest,
  joinFrame,
  type BlockRequest,
  type EvictionPolicyName,
} from '../kvcache/index.js';
import { defineCommand, int, str } from '../shared/index.js';
import { writeBenchResult } from './results.js';

const spec = {
  budgetMib: int(256, 'store budget, MiB', { min: 16, max: 16_384 }),
  policy: str('s3fifo', 'eviction policy (s3fifo or lru)'),
  rounds: int(3, 'timed rounds; the best is kept', { min: 1, max: 20 }),
  out: str('bench/results/kv-store.json', 'result file'),
};

const MiB = 1024 * 1024;
const mbps = (bytes: number, ms: number): number => Math.round(bytes / 1e6 / (ms / 1000));

/** Best-of-`rounds` MB/s of `run`, which moves `bytes` per call. */
function best(rounds: number, bytes: number, run: (round: number) => void): number {
  let top = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    run(r);
    top = Math.max(top, mbps(bytes, performance.now() - t0));
  }
  return top;
}

function storeFigures(
  blockBytes: number,
  budgetBytes: number,
  policy: EvictionPolicyName,
  rounds: number,
) {
  const data = new Uint8Array(blockBytes).fill(7);
  const slots = Math.floor(budgetBytes / blockBytes);
  let next = 1;
  let store = new BlockStore({ budgetBytes, policy, slotSizes: [blockBytes] });
  const fill = best(rounds, slots * blockBytes, () => {
    store = new BlockStore({ budgetBytes, policy, slotSizes: [blockBytes] });
    for (let i = 0; i < slots; i++) store.put(next++, data);
  });
  const evicting = best(rounds, slots * blockBytes, () => {
    for (let i = 0; i < slots; i++) store.put(next++, data);
  });
  const held = Array.from({ length: slots }, (_, i) => next - slots + i);
  const viewGet = best(rounds, slots * blockBytes, () => {
    for (const key of held) store.get(key)?.release();
  });
  const copyGet = best(rounds, slots * blockBytes, () => {
    for (const key of held) store.getCopy(key);
  });
  // Baselines in the same run: a plain copy into memory already touched (what a steady-state
  // put must do), and a copy into a fresh allocation (what getCopy and a joined frame must do).
  const target = new Uint8Array(budgetBytes);
  const memcpy = best(rounds, slots * blockBytes, () => {
    for (let i = 0; i < slots; i++) target.set(data, i * blockBytes);
  });
  const freshCopy = best(rounds, slots * blockBytes, () => {
    for (let i = 0; i < slots; i++) data.slice();
  });
  const s = store.stats();
  return {
    memcpyBaselineMBps: memcpy,
    freshAllocCopyBaselineMBps: freshCopy,
    putEvictingVsMemcpy: Number((evicting / memcpy).toFixed(2)),
    getCopyVsFreshAllocCopy: Number((copyGet / freshCopy).toFixed(2)),
    blockBytes,
    blocksHeld: s.blocks,
    putFillMBps: fill,
    putEvictingMBps: evicting,
    putEvictingBlocksPerSec: Math.round((evicting * 1e6) / blockBytes),
    getViewMBps: viewGet,
    getViewBlocksPerSec: Math.round((viewGet * 1e6) / blockBytes),
    getCopyMBps: copyGet,
    slabBytes: s.slabBytes,
    budgetBytes,
  };
}

function codecFigures(blockBytes: number, blocks: number, rounds: number) {
  const req: BlockRequest = {
    op: 'put',
    id: 1,
    blocks: Array.from({ length: blocks }, (_, i) => ({
      key: i + 1,
      bytes: new Uint8Array(blockBytes).fill(i),
    })),
  };
  const frameBytes = blocks * (blockBytes + 12) + 20;
  const encodeJoined = best(rounds, frameBytes, () => void joinFrame(encodeRequest(req)));
  const encodeParts = best(rounds, frameBytes, () => void encodeRequest(req));
  const frame = joinFrame(encodeRequest(req));
  const chunk = 64 * 1024;
  // The whole-frame decode (a client's replies; a put the service cannot store as it arrives):
  // into pooled segments, given back once handled.
  const pool = new ReceivePool({ maxPooledBytes: 2 * frame.length });
  const decode = best(rounds, frame.length, () => {
    const decoder = createRequestDecoder({}, pool);
    for (let at = 0; at < frame.length; at += chunk) {
      for (const m of decoder.push(frame.subarray(at, at + chunk)).messages)
        if (m.op === 'put') for (const b of m.blocks) pool.give(payloadParts(b));
    }
  });
  return {
    blockBytes,
    blocksPerFrame: blocks,
    frameBytes: frame.length,
    encodeJoinedMBps: encodeJoined,
    encodePartsMBps: encodeParts,
    decode64KiBChunksMBps: decode,
  };
}

/** The `kv-store` bench scenario. */
export const kvStoreBench = defineCommand({
  name: 'kv-store',
  summary:
    'L1 block store put/get MB/s (2 MiB and 16 KiB blocks) and block codec encode/decode MB/s, in process',
  usage: 'infernode bench kv-store [--budget-mib 256] [--policy s3fifo] [--rounds 3]',
  envPrefix: 'BENCH_KV_STORE',
  spec,
  async run({ config }) {
    const policy: EvictionPolicyName = config.policy === 'lru' ? 'lru' : 's3fifo';
    const budgetBytes = config.budgetMib * MiB;
    const result = {
      policy,
      store2MiB: storeFigures(2 * MiB, budgetBytes, policy, config.rounds),
      store16KiB: storeFigures(16 * 1024, budgetBytes, policy, config.rounds),
      codec2MiB: codecFigures(2 * MiB, 32, config.rounds),
      codec16KiB: codecFigures(16 * 1024, 1024, config.rounds),
      loadAverage1m: Number(os.loadavg()[0]?.toFixed(2)),
      note: 'in process, no sockets; getView is a pinned zero-copy view (released at once), getCopy copies out; encodeParts passes payloads through (gather write), encodeJoined copies them into one buffer',
    };
    const path = await writeBenchResult(
      config.out,
      `infernode bench kv-store --budget-mib ${config.budgetMib} --policy ${policy} --rounds ${config.rounds}`,
      result,
    );
    process.stdout.write(`${JSON.stringify(result, null, 2)}\nwrote ${path}\n`);
    return 0;
  },
});
