/**
 * The agent's KV wiring with both listeners on one store: the Python stand-in of LMCache's client
 * against `lm://`, an engine's BlockClient against `ikv://`, and the L1 feed reporting both; the
 * store report names the LMCache URL; a port in use fails the start with a clear error and
 * leaves nothing bound.
 */
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createKv } from '../../../src/agent/kv-wiring.js';
import type { AgentConfig } from '../../../src/agent/agent-config.js';
import type { KvDeltaSink, KvHoldingsSource } from '../../../src/agent/kv-channel.js';
import { BlockClient } from '../../../src/kvcache/adapters/index.js';
import type { KvSourceDelta, KvStoreReport } from '../../../src/protocol/index.js';
import { createLogger, createRegistry } from '../../../src/shared/index.js';
import { blockBytes } from '../../helpers/kv-block-service.js';
import { KV_TEST_TOKEN, testKvConfig } from '../../helpers/agent-kv.js';
import { waitFor } from '../../helpers/wait-for.js';

const CLIENT = join(import.meta.dirname, '../../fixtures/lmcache/lm_client.py');
const run = promisify(execFile);
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
  addSource(_source: KvHoldingsSource): () => void {
    return () => undefined;
  }
  storeChanged(report: KvStoreReport): void {
    this.reports.push(report);
  }
}

async function startKv(overrides: Partial<AgentConfig['kv']>) {
  const sink = new RecordingSink();
  const kv = await createKv({
    config: { node: 'node-a', kv: testKvConfig({ budgetBytes: 64 * MiB, ...overrides }) },
    registry: createRegistry({ defaultMetrics: false }),
    log: createLogger({ level: 'silent' }),
    sink,
  });
  if (kv === undefined) throw new Error('kv disabled');
  const stop = new AbortController();
  const running = kv.parts.map((part) => part.run(stop.signal));
  cleanups.push(async () => {
    stop.abort();
    await Promise.all(running);
  });
  return { kv, sink };
}

const storedKeys = (sink: RecordingSink): number[] =>
  sink.deltas.flatMap((d) => (d.tier === 'l1' ? [...(d.stored ?? [])] : []));

describe('agent KV wiring: LMCache listener', () => {
  it('serves LMCache’s client and engines’ native calls from one reported store', async () => {
    // Six value sizes and their heads, seven slot classes: room for a 64 MiB slab each (slabs
    // fill lazily).
    const { kv, sink } = await startKv({ lmcacheEnabled: true, budgetBytes: 512 * MiB });
    const lm = kv.lmcache;
    if (lm === undefined) throw new Error('LMCache listener not started');
    expect(lm.url).toBe(`lm://127.0.0.1:${lm.server.port}`);
    expect(kv.report().lmcacheUrl).toBe(lm.url);

    const { stdout } = await run('python3', [CLIENT, '127.0.0.1', String(lm.server.port)], {
      timeout: 60_000,
    });
    expect(stdout).toContain('ok 6 values');

    const engine = new BlockClient({ token: KV_TEST_TOKEN });
    cleanups.push(() => engine.close());
    expect(await engine.putMany(kv.nativeUrl, [{ key: 77, bytes: blockBytes(77, 4096) }])).toEqual([
      'stored',
    ]);
    // Each LMCache value is two blocks (its payload and its head), the native put one.
    expect(kv.store.stats().blocks).toBe(13);
    await waitFor(() => storedKeys(sink).length === 13, 'thirteen stored blocks reported');
    expect(storedKeys(sink)).toContain(77);
    await waitFor(() => sink.reports.at(-1)?.blocks === 13, 'a store report with 13 blocks');
    expect(sink.reports.at(-1)?.lmcacheUrl).toBe(lm.url);
  }, 90_000);

  it('leaves the LMCache listener off by default', async () => {
    const { kv } = await startKv({});
    expect(kv.lmcache).toBeUndefined();
    expect(kv.report().lmcacheUrl).toBeUndefined();
  });

  it('fails the start with a clear error when the LMCache port is taken, binding nothing', async () => {
    const taken = await listenOn(0);
    const blockPort = await freePort();
    const config = testKvConfig({ port: blockPort, lmcacheEnabled: true, lmcachePort: taken.port });
    await expect(
      createKv({
        config: { node: 'node-a', kv: config },
        registry: createRegistry({ defaultMetrics: false }),
        log: createLogger({ level: 'silent' }),
      }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('kv.lmcachePort'),
    });
    // The block service bound before the failure was closed again: its port binds once more.
    expect((await listenOn(blockPort)).port).toBe(blockPort);
  });
});

/** A plain TCP listener on 127.0.0.1 (closed after the test). */
async function listenOn(port: number): Promise<{ port: number }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port };
}

/** A port free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
