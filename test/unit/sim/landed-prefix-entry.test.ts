/**
 * Landed KV loads enter the GPU cache just before the step that admits their request: the
 * connector keeps a landed load held and out of the GPU cache, its entry releases one landed
 * request per step in admission order, and the head of the queue gets its blocks again when
 * they were evicted while it waited.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { silentLogger, systemClock } from '../../../src/shared/index.js';
import {
  EngineCore,
  HARDWARE_PROFILES,
  enterLandedPrefixes,
  leadingCachedBlocks,
  type CoreRequest,
  type CoreRequestSpec,
  type HardwareProfile,
} from '../../../src/sim/index.js';
import type { KvBlockStore } from '../../../src/sim/kv-block-store.js';
import { KvConnector } from '../../../src/sim/kv-connector.js';
import { KvConnectorMetrics } from '../../../src/sim/kv-connector-metrics.js';
import {
  parseKvTransferConfig,
  type KvTransferConfig,
} from '../../../src/sim/kv-transfer-config.js';
import { blockPayload } from '../../../src/sim/kv-transfer-model.js';

const h100 = HARDWARE_PROFILES.get('llama-8b-h100') as HardwareProfile;
const BS = 16;

const spec = (first: number, blocks: number): CoreRequestSpec => ({
  promptLength: blocks * BS + 1,
  blockHashes: Array.from({ length: blocks }, (_, i) => first + i),
  maxTokens: 1,
  eosAfterTokens: Infinity,
  lora: null,
});

function core(numGpuBlocks: number): EngineCore<string> {
  return new EngineCore<string>(
    {
      maxNumSeqs: 8,
      maxNumBatchedTokens: 8192,
      numGpuBlocks,
      blockSizeTokens: BS,
      maxLoras: 1,
      maxWaitingRequests: 64,
    },
    h100,
  );
}

describe('enterLandedPrefixes', () => {
  it('releases one landed held request per step, in admission order, entering its blocks first', () => {
    const c = core(64);
    const reqs = ['a', 'b', 'c'].map((tag, i) => {
      const r = c.submit(spec(100 * (i + 1), 2), tag) as CoreRequest<string>;
      c.holdForRemoteKv(r);
      return r;
    });
    const landed = new Set(['b', 'c']);
    const entered: string[] = [];
    const prefixes = {
      landed: (r: CoreRequest<string>) => landed.has(r.tag),
      enter: (r: CoreRequest<string>) => {
        expect(r.remoteKvHeld).toBe(true); // entered before admission can take it
        entered.push(r.tag);
      },
      missing: () => false,
    };
    enterLandedPrefixes(c, prefixes);
    expect(entered).toEqual(['b']);
    expect(reqs.map((r) => r.remoteKvHeld)).toEqual([true, false, true]);
    enterLandedPrefixes(c, prefixes);
    expect(entered).toEqual(['b', 'c']);
    expect(reqs[0]?.remoteKvHeld).toBe(true); // its load has not landed
  });

  it('enters the head of the admission order when its landed blocks are missing', () => {
    const c = core(64);
    c.submit(spec(100, 2), 'head');
    c.submit(spec(200, 2), 'next');
    const entered: string[] = [];
    enterLandedPrefixes(c, {
      landed: () => false,
      enter: (r) => entered.push(r.tag),
      missing: () => true,
    });
    expect(entered).toEqual(['head']);
  });
});

/** A store that holds every block of the chains asked for (valid payloads). */
class FullStore implements KvBlockStore {
  readonly payloadSize: () => number;
  constructor(payloadSize: () => number) {
    this.payloadSize = payloadSize;
  }
  putMany(_url: string, blocks: readonly unknown[]): Promise<readonly string[]> {
    return Promise.resolve(blocks.map(() => 'stored'));
  }
  getPrefix(_url: string, keys: readonly number[]): Promise<{ key: number; bytes: Uint8Array }[]> {
    return Promise.resolve(
      keys.map((key) => ({ key, bytes: blockPayload(key, this.payloadSize()) })),
    );
  }
  close(): void {
    return undefined; // nothing to close
  }
}

/** A connector over `c`'s pool whose store holds everything, at `speed`. */
function connectorOver(c: EngineCore<string>, speed: number) {
  const registry = new Registry();
  const box: { connector?: KvConnector } = {};
  const connector = new KvConnector({
    config: parseKvTransferConfig({
      kv_connector: 'InfernodeConnector',
      kv_connector_extra_config: { url: 'ikv://127.0.0.1:1' },
    }) as KvTransferConfig,
    store: new FullStore(() => box.connector?.payloadSize ?? 0),
    profile: h100,
    pool: c.pool,
    blockSizeTokens: BS,
    metrics: new KvConnectorMetrics(registry, 'm'),
    speed,
    log: silentLogger(),
    clock: systemClock,
  });
  box.connector = connector;
  const externalHits = async (): Promise<number | undefined> =>
    (await registry.getMetricsAsJSON()).find(
      (m) => m.name === 'vllm:external_prefix_cache_hits_total',
    )?.values[0]?.value;
  return { connector, externalHits };
}

/** Queues `s` on `c`, held, and runs the connector's load for it, noting what it did to the hold. */
async function queueAndLoad(c: EngineCore<string>, connector: KvConnector, s: CoreRequestSpec) {
  const req = c.submit(s, 'r') as CoreRequest<string>;
  c.holdForRemoteKv(req);
  const events: string[] = [];
  const landed = await connector.loadPrefix(s, {
    isQueued: () => req.state === 'waiting',
    release: () => {
      events.push('release');
      c.releaseRemoteKv(req);
    },
    hold: () => {
      events.push('hold');
      c.holdForRemoteKv(req);
    },
    landed: () => events.push('landed'),
  });
  return { req, landed, events };
}

describe('KvConnector: a landed load waits in the host buffer', () => {
  it('stays out of the GPU cache, held, until the step that admits its request', async () => {
    const c = core(64);
    // 20 blocks take ~3 ms to move and ~11 ms to recompute; at 1/50 of real time the hold
    // (~0.6 s) outlasts the transfer (~0.17 s) by far, even on a loaded machine.
    const { connector, externalHits } = connectorOver(c, 0.02);
    const s = spec(1000, 20);
    const { req, landed, events } = await queueAndLoad(c, connector, s);
    expect(landed).toBe(true);
    expect(events).toEqual(['hold', 'landed']); // held through the transfer, never released
    expect(req.remoteKvHeld).toBe(true);
    expect(leadingCachedBlocks(c.pool, s.blockHashes, 20)).toBe(0);

    connector.enterLanded(c);
    expect(req.remoteKvHeld).toBe(false);
    expect(leadingCachedBlocks(c.pool, s.blockHashes, 20)).toBe(20);
    c.step();
    expect(req.numCachedTokens).toBe(20 * BS);
    expect(await externalHits()).toBe(20 * BS);
    connector.close();
  });

  it('holds the request again when its lookup finds blocks after its break-even ran out', async () => {
    const c = core(64);
    // At this speed the break-even hold is under a millisecond: released before the lookup.
    const { connector, externalHits } = connectorOver(c, 1e6);
    const s = spec(2000, 20);
    const { req, landed, events } = await queueAndLoad(c, connector, s);
    expect(landed).toBe(true);
    expect(events).toEqual(['release', 'hold', 'landed']);
    expect(req.remoteKvHeld).toBe(true);
    expect(leadingCachedBlocks(c.pool, s.blockHashes, 20)).toBe(0);
    connector.enterLanded(c);
    c.step();
    expect(req.numCachedTokens).toBe(20 * BS);
    expect(await externalHits()).toBe(20 * BS);
    connector.close();
  });

  it('enters the blocks again when they were evicted before the admission', async () => {
    const c = core(24);
    const { connector } = connectorOver(c, 1);
    const s = spec(3000, 20);
    const { req } = await queueAndLoad(c, connector, s);
    connector.enterLanded(c);
    // Another engine's worth of allocations takes every free block, the entered ones included.
    const taken = Array.from({ length: c.pool.numFree }, () => c.pool.allocate());
    expect(leadingCachedBlocks(c.pool, s.blockHashes, 20)).toBe(0);
    c.pool.releaseAll(taken);
    connector.enterLanded(c);
    expect(leadingCachedBlocks(c.pool, s.blockHashes, 20)).toBe(20);
    c.step();
    expect(req.numCachedTokens).toBe(20 * BS);
    connector.close();
  });
});
