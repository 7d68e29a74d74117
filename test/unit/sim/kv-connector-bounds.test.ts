/**
 * The sim KV connector's bounds, against a scripted store: offload keeps several batched puts in
 * flight (never more than configured) and counts what a burst past the queue bound drops; a
 * lookup that does not answer within what the load would save is abandoned and the request
 * recomputes.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { silentLogger, systemClock } from '../../../src/shared/index.js';
import { BlockPool } from '../../../src/sim/block-pool.js';
import type { KvBlockStore, KvStoreCallOptions } from '../../../src/sim/kv-block-store.js';
import { KvConnector } from '../../../src/sim/kv-connector.js';
import { KvConnectorMetrics } from '../../../src/sim/kv-connector-metrics.js';
import { OFFLOAD_BATCH_BLOCKS } from '../../../src/sim/kv-offloader.js';
import {
  parseKvTransferConfig,
  type KvTransferConfig,
} from '../../../src/sim/kv-transfer-config.js';
import { decideFetch, loadBudgetMs } from '../../../src/sim/kv-transfer-model.js';
import { HARDWARE_PROFILES, type HardwareProfile } from '../../../src/sim/profiles.js';
import { waitFor } from '../../helpers/wait-for.js';

const h100 = HARDWARE_PROFILES.get('llama-8b-h100') as HardwareProfile;
const BS = 16;

/** A store whose puts and lookups wait until the test releases them (or their signal aborts). */
class ScriptedStore implements KvBlockStore {
  putsInFlight = 0;
  maxPutsInFlight = 0;
  readonly putSizes: number[] = [];
  readonly lookups: (KvStoreCallOptions & { readonly l2WaitMs?: number })[] = [];
  /** The chain each lookup asked for. */
  readonly lookupKeys: (readonly number[])[] = [];
  readonly #releases: (() => void)[] = [];

  putMany(
    _url: string,
    blocks: readonly { readonly key: number; readonly bytes: Uint8Array }[],
  ): Promise<readonly string[]> {
    this.putsInFlight++;
    this.maxPutsInFlight = Math.max(this.maxPutsInFlight, this.putsInFlight);
    this.putSizes.push(blocks.length);
    return new Promise((resolve) =>
      this.#releases.push(() => {
        this.putsInFlight--;
        resolve(blocks.map(() => 'stored'));
      }),
    );
  }

  /** Lets every waiting put answer. */
  releasePuts(): number {
    const all = this.#releases.splice(0);
    for (const r of all) r();
    return all.length;
  }

  getPrefix(
    _url: string,
    keys: readonly number[],
    options?: KvStoreCallOptions & { readonly l2WaitMs?: number },
  ): Promise<readonly { key: number; bytes: Uint8Array }[]> {
    this.lookups.push(options ?? {});
    this.lookupKeys.push(keys);
    // Never answers: only the caller's deadline ends it, as with a stalled agent.
    return new Promise((_resolve, reject) =>
      options?.signal?.addEventListener('abort', () => reject(new Error('aborted')), {
        once: true,
      }),
    );
  }

  closed = false;

  close(): void {
    this.closed = true;
  }
}

function connectorWith(extra: Record<string, unknown>, speed = 1) {
  const config = parseKvTransferConfig({
    kv_connector: 'InfernodeConnector',
    kv_connector_extra_config: { url: 'ikv://127.0.0.1:1', ...extra },
  }) as KvTransferConfig;
  const registry = new Registry();
  const store = new ScriptedStore();
  const connector = new KvConnector({
    config,
    store,
    profile: h100,
    pool: new BlockPool(64),
    blockSizeTokens: BS,
    metrics: new KvConnectorMetrics(registry, 'm'),
    speed,
    log: silentLogger(),
    clock: systemClock,
  });
  const value = async (name: string, label?: string): Promise<number> => {
    const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
    const v = m?.values.find((x) => label === undefined || Object.values(x.labels).includes(label));
    return v?.value ?? NaN;
  };
  return { connector, store, config, value };
}

describe('KvConnector offload', () => {
  it('keeps up to maxOffloadInFlight batched puts in flight and offloads a whole burst', async () => {
    const { connector, store, value } = connectorWith({ maxOffloadInFlight: 3 });
    const burst = 3000;
    connector.blocksStored(Array.from({ length: burst }, (_, i) => i + 1));
    await waitFor(() => store.putsInFlight === 3, 'three puts in flight', 10_000);
    let released = 0;
    while (released < Math.ceil(burst / OFFLOAD_BATCH_BLOCKS)) {
      await waitFor(() => store.putsInFlight > 0, 'a put waiting', 10_000);
      released += store.releasePuts();
    }
    await waitFor(
      async () => (await value('infernode_sim_kv_offloaded_blocks_total')) === burst,
      'the whole burst offloaded',
      10_000,
    );
    expect(store.maxPutsInFlight).toBe(3);
    expect(Math.max(...store.putSizes)).toBe(OFFLOAD_BATCH_BLOCKS);
    expect(await value('infernode_sim_kv_offload_dropped_blocks_total', 'queue_full')).toBe(0);
    connector.close();
  });

  it('drops and counts what a burst puts past the queue bound', async () => {
    const { connector, store, value } = connectorWith({ maxOffloadQueue: 100 });
    connector.blocksStored(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(await value('infernode_sim_kv_offload_dropped_blocks_total', 'queue_full')).toBe(150);
    await waitFor(() => store.putsInFlight > 0, 'a put in flight', 10_000);
    store.releasePuts();
    await waitFor(
      async () => (await value('infernode_sim_kv_offloaded_blocks_total')) === 100,
      'the queued blocks offloaded',
      10_000,
    );
    connector.close();
  });
});

describe('KvConnector lookup deadline', () => {
  const spec = (blocks: number) => ({
    promptLength: blocks * BS + 1,
    blockHashes: Array.from({ length: blocks }, (_, i) => 1000 + i),
    maxTokens: 1,
    eosAfterTokens: Infinity,
    lora: null,
  });

  it('releases the held request at its break-even, abandons a stalled lookup at the call bound and counts it late', async () => {
    const { connector, store, value } = connectorWith({ timeoutMs: 300 }, 1);
    // Recomputing 32 blocks on this profile takes ~13 ms: far less than the bound.
    expect(decideFetch(h100, 32 * BS, 12.5e9).recomputeS).toBeLessThan(0.1);
    let releasedWhileLookingUp: boolean | undefined;
    const hold = {
      isQueued: () => true,
      release: () => {
        releasedWhileLookingUp ??= store.lookups[0]?.signal?.aborted === false;
      },
      hold: () => expect.unreachable('a stalled lookup finds nothing to wait for'),
      landed: () => expect.unreachable('a stalled lookup never lands'),
    };
    expect(await connector.loadPrefix(spec(32), hold)).toBe(false);
    // The request went on at its break-even, while the lookup still ran to its bound.
    expect(releasedWhileLookingUp).toBe(true);
    expect(store.lookups).toHaveLength(1);
    expect(store.lookups[0]?.timeoutMs).toBe(300);
    expect(store.lookups[0]?.signal?.aborted).toBe(true);
    // Peers get at most half the bound, so the agent's local run can still come back in time.
    expect(store.lookups[0]?.l2WaitMs).toBe(150);
    expect(await value('infernode_sim_kv_fetch_decisions_total', 'late')).toBe(1);
    expect(await value('infernode_sim_kv_fetch_decisions_total', 'failed')).toBe(0);
    connector.close();
  });

  it('never looks up a chain whose load cannot beat its recompute', async () => {
    const { connector, store, value } = connectorWith({ linkBytesPerS: 1e6 }, 1);
    let released = 0;
    const hold = {
      isQueued: () => true,
      release: () => {
        released++;
      },
      hold: () => expect.unreachable('nothing was looked up'),
      landed: () => expect.unreachable('nothing was looked up'),
    };
    expect(await connector.loadPrefix(spec(2), hold)).toBe(false);
    expect(released).toBeGreaterThan(0);
    expect(store.lookups).toHaveLength(0);
    expect(await value('infernode_sim_kv_fetch_decisions_total', 'recomputed')).toBe(1);
    connector.close();
  });

  it("skips the lookup when the router's hint says no L1 holds the block past the GPU hit", async () => {
    const { connector, store, value } = connectorWith({}, 1);
    const hold = {
      isQueued: () => true,
      release: () => undefined,
      hold: () => expect.unreachable('nothing was looked up'),
      landed: () => expect.unreachable('nothing was looked up'),
    };
    // The GPU cache is empty: the connector's run starts at block 0, where the hint says no L1
    // store holds anything.
    const hinted = { ...spec(32), l1Absent: { block: 0, hash: 1000 } };
    expect(await connector.loadPrefix(hinted, hold)).toBe(false);
    expect(store.lookups).toHaveLength(0);
    expect(await value('infernode_sim_kv_fetch_decisions_total', 'skipped')).toBe(1);
    expect(await value('infernode_sim_kv_fetch_decisions_total', 'miss')).toBe(0);
    connector.close();
  });

  it('asks only for the blocks before the one the hint names (no load can pass it)', async () => {
    const { connector, store, value } = connectorWith({ timeoutMs: 50 }, 1);
    const hold = {
      isQueued: () => true,
      release: () => undefined,
      hold: () => expect.unreachable('the stalled lookup finds nothing'),
      landed: () => expect.unreachable('the stalled lookup never lands'),
    };
    // No store holds block 20: the run the engine could load is blocks 0–19 at most.
    const at = (block: number, hash: number) => ({ ...spec(32), l1Absent: { block, hash } });
    expect(await connector.loadPrefix(at(20, 1020), hold)).toBe(false);
    // A hint past the chain's end, or whose hash is not the engine's there, is ignored: the
    // whole chain is asked.
    expect(await connector.loadPrefix(at(40, 1040), hold)).toBe(false);
    expect(await connector.loadPrefix(at(0, 7), hold)).toBe(false);
    expect(store.lookupKeys.map((k) => k.length)).toEqual([20, 32, 32]);
    expect(store.lookupKeys[0]).toEqual(spec(32).blockHashes.slice(0, 20));
    expect(await value('infernode_sim_kv_fetch_decisions_total', 'skipped')).toBe(0);
    connector.close();
  });
});

describe('loadBudgetMs', () => {
  it('is what a load saves over the speed, capped, and never negative', () => {
    const link = 12.5e9;
    const a = loadBudgetMs(h100, 1024, link, 1, 1e9);
    expect(loadBudgetMs(h100, 2048, link, 1, 1e9)).toBeGreaterThan(a);
    expect(loadBudgetMs(h100, 1024, link, 4, 1e9)).toBeCloseTo(a / 4, 9);
    expect(loadBudgetMs(h100, 1024, link, 1, a / 2)).toBe(a / 2);
    expect(loadBudgetMs(h100, 1024, 1e6, 1, 1e9)).toBe(0); // a 1 MB/s link never pays
  });
});
