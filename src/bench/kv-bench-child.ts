/**
 * The `bench kv` server process, forked by kv-bench-servers.ts so the server never shares an
 * event loop (or a CPU's worth of garbage collection) with the client driving it: either the raw
 * TCP baseline (kv-bench-raw.ts) or a real BlockServer with token auth over a BlockStore
 * pre-filled with keys 1..prefillBlocks. Over IPC it sends `ready` with its port and answers
 * `stats` with its byte counters and CPU time; it exits when the parent disconnects.
 */
import { BlockServer } from '../kvcache/adapters/index.js';
import { BlockStore } from '../kvcache/index.js';
import { createLogger, createRegistry } from '../shared/index.js';
import type { KvChildPlan, KvChildStats } from './kv-bench-plan.js';
import { startRawServer } from './kv-bench-raw.js';

const SLAB_BYTES = 64 * 1024 * 1024;

/** The child's CPU time and page faults so far. */
const usage = (): Pick<KvChildStats, 'cpuMicros' | 'pageFaults'> => {
  const u = process.cpuUsage();
  return { cpuMicros: u.user + u.system, pageFaults: process.resourceUsage().minorPageFault };
};

const counterValue = async (counter: {
  get(): Promise<{ values: { value: number }[] }>;
}): Promise<number> => (await counter.get()).values[0]?.value ?? 0;

async function startBlockServer(plan: KvChildPlan) {
  // Whole slabs for every block the bench holds at once, plus one spare: puts never evict.
  const slabs = Math.ceil((plan.storeBlocks * plan.blockBytes) / SLAB_BYTES) + 1;
  const store = new BlockStore({
    budgetBytes: slabs * SLAB_BYTES,
    policy: 's3fifo',
    slotSizes: [plan.blockBytes],
    slabBytes: SLAB_BYTES,
  });
  const data = new Uint8Array(plan.blockBytes).fill(7);
  for (let key = 1; key <= plan.prefillBlocks; key++) store.put(key, data);
  const server = new BlockServer({
    store,
    host: '127.0.0.1',
    port: 0,
    token: plan.token,
    maxPooledBytes: plan.maxPooledBytes,
    registry: createRegistry({ defaultMetrics: false }),
    log: createLogger({ level: 'warn', base: { role: 'bench-kv-server' } }),
  });
  const port = await server.listen();
  const stats = async (): Promise<KvChildStats> => ({
    type: 'stats',
    bytesIn: await counterValue(server.metrics.bytesIn),
    bytesOut: await counterValue(server.metrics.bytesOut),
    ...usage(),
  });
  return { port, stats, close: () => server.close() };
}

async function startRaw(plan: KvChildPlan) {
  const { server, port, counters } = await startRawServer(plan.maxReplyBytes);
  const stats = (): Promise<KvChildStats> =>
    Promise.resolve({ type: 'stats', ...counters, ...usage() });
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => resolve());
    });
  return { port, stats, close };
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '{}') as KvChildPlan;
  const running = plan.mode === 'raw' ? await startRaw(plan) : await startBlockServer(plan);
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stats') void running.stats().then((s) => process.send?.(s));
  });
  process.once('disconnect', () => {
    void running.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
  process.send?.({ type: 'ready', port: running.port });
}

void main().catch((err: unknown) => {
  process.stderr.write(`bench kv server: ${String(err)}\n`);
  process.exit(1);
});
