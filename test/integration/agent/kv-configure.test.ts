/**
 * `kv.configure` through a real command channel (leader hub ↔ agent LeaderClient on 127.0.0.1)
 * to the agent's KV wiring: the store shrinks to the new budget, evicts the oldest blocks, reports
 * them and its new budget, and a bad command is refused with nothing changed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createKv } from '../../../src/agent/kv-wiring.js';
import { kvConfigureHandler } from '../../../src/agent/kv-configure.js';
import type { KvDeltaSink } from '../../../src/agent/kv-channel.js';
import type { KvSourceDelta, KvStoreReport } from '../../../src/protocol/index.js';
import { createLogger, createRegistry } from '../../../src/shared/index.js';
import { CommandLeader, startCommandAgent } from '../../helpers/command-cluster.js';
import { testKvConfig } from '../../helpers/agent-kv.js';
import { blockBytes } from '../../helpers/kv-block-service.js';
import { waitFor } from '../../helpers/wait-for.js';

const MiB = 1024 * 1024;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

class RecordingSink implements KvDeltaSink {
  readonly deltas: KvSourceDelta[] = [];
  readonly reports: KvStoreReport[] = [];
  record(delta: KvSourceDelta): void {
    this.deltas.push(delta);
  }
  addSource(): () => void {
    return () => undefined;
  }
  storeChanged(report: KvStoreReport): void {
    this.reports.push(report);
  }
}

async function setup() {
  const sink = new RecordingSink();
  // 64 MiB slabs (the default): a 256 MiB store of 1 MiB blocks holds 4 slabs' worth.
  const kv = await createKv({
    config: { node: 'node-k', kv: testKvConfig({ budgetBytes: 256 * MiB, policy: 'lru' }) },
    registry: createRegistry({ defaultMetrics: false }),
    log: createLogger({ level: 'silent' }),
    sink,
  });
  if (kv === undefined) throw new Error('kv disabled');
  cleanups.push(() => kv.server.close());
  const leader = new CommandLeader();
  await leader.start();
  cleanups.push(() => leader.stop());
  const agent = startCommandAgent(leader, 'node-k', [kvConfigureHandler(kv.control)]);
  cleanups.push(agent.stop);
  await waitFor(() => agent.client.leader !== undefined, 'agent welcomed');
  return { kv, sink, leader };
}

const args = (over: Record<string, unknown> = {}) => ({
  resource: 'default/kv',
  budgetBytes: 128 * MiB,
  policy: 's3fifo',
  shared: true,
  engines: ['e-1'],
  ...over,
});

describe('kv.configure on the agent', () => {
  it('shrinks the store to the new budget, evicting and reporting the oldest blocks', async () => {
    const { kv, sink, leader } = await setup();
    // 1 MiB blocks sit in 1 MiB slots (64 a slab): 192 blocks fill three slabs.
    for (let k = 1; k <= 192; k++) expect(kv.store.put(k, blockBytes(k, MiB))).toBe('stored');
    const result = await leader.client.send({ node: 'node-k', kind: 'kv.configure', args: args() });
    expect(result).toMatchObject({
      ok: true,
      value: {
        budgetBytes: 128 * MiB,
        policy: 's3fifo',
        evictedBlocks: 64,
        evictedBytes: 64 * MiB,
      },
    });
    expect(kv.store.stats()).toMatchObject({ blocks: 128, budgetBytes: 128 * MiB });
    expect(kv.store.stats().slabBytes).toBeLessThanOrEqual(128 * MiB);
    expect(kv.store.policyName).toBe('s3fifo');
    expect(kv.store.exists([1, 64, 65, 192])).toEqual([false, false, true, true]);
    await waitFor(
      () => sink.deltas.some((d) => d.removed?.includes(1) === true),
      'the evictions reported',
    );
    expect(sink.reports.at(-1)?.budgetBytes).toBe(128 * MiB);
  }, 60_000);

  it('refuses bad args with a clear error and changes nothing', async () => {
    const { kv, leader } = await setup();
    kv.store.put(1, blockBytes(1, 4096));
    const result = await leader.client.send({
      node: 'node-k',
      kind: 'kv.configure',
      args: args({ policy: 'random' }),
    });
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('policy') });
    expect(kv.store.stats()).toMatchObject({ blocks: 1, budgetBytes: 256 * MiB });
  }, 60_000);
});
