/**
 * The LMCache-compatible listener on 127.0.0.1 serving a real BlockStore: a Python client written
 * from kv-wire.md (struct + socket only) puts, gets and checks values byte for byte; hostile input
 * (truncated header, huge length, unknown command, garbage) closes that connection only, counted,
 * while another client keeps being served.
 */
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry, silentLogger, type Registry } from '../../../src/shared/index.js';
import {
  BlockStore,
  decodeServerHeader,
  encodeClientHeader,
  LMCACHE_EMPTY_META,
  LMCACHE_FAIL,
  LMCACHE_SERVER_HEADER_BYTES,
  LMCACHE_SUCCESS,
  type LmcacheClientHeader,
} from '../../../src/kvcache/index.js';
import { LmcacheServer } from '../../../src/kvcache/adapters/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import { roomsLeft } from '../../helpers/store-rooms.js';

const CLIENT = join(import.meta.dirname, '../../fixtures/lmcache/lm_client.py');
const run = promisify(execFile);
const MiB = 1024 * 1024;

let server: LmcacheServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await server?.stop();
  server = undefined;
});

async function listen(options: Partial<ConstructorParameters<typeof LmcacheServer>[0]> = {}) {
  const registry = createRegistry({ defaultMetrics: false });
  const store = new BlockStore({ budgetBytes: 64 * MiB, slabBytes: 16 * MiB });
  server = new LmcacheServer({ store, registry, logger: silentLogger(), ...options });
  await server.start();
  return { server, store, registry };
}

async function metric(registry: Registry, name: string, labels: Record<string, string>) {
  const found = (await registry.getSingleMetric(name)?.get())?.values.find((v) =>
    Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return found?.value ?? 0;
}

/** A raw client: sends bytes, reads exactly n reply bytes, sees the close. */
async function rawClient(port: number) {
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  let received = Buffer.alloc(0);
  let closed = false;
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined); // the close is what these tests watch
  await new Promise((resolve) => socket.once('connect', resolve));
  return {
    socket,
    send: (bytes: Uint8Array) => socket.write(bytes),
    read: async (n: number) => {
      await waitFor(() => received.length >= n, `${n} reply bytes`);
      const out = received.subarray(0, n);
      received = received.subarray(n);
      return out;
    },
    closed: () => waitFor(() => closed, 'the server to close the connection'),
  };
}

const header = (over: Partial<LmcacheClientHeader>): Uint8Array =>
  encodeClientHeader({ command: 'health', length: 0, key: '', ...LMCACHE_EMPTY_META, ...over });

describe('LMCache listener', () => {
  it('serves the Python stand-in of LMCache’s client byte for byte', async () => {
    const { server, store, registry } = await listen();
    const { stdout } = await run('python3', [CLIENT, '127.0.0.1', String(server.port)], {
      timeout: 60_000,
    });
    expect(stdout).toContain('ok 6 values');
    expect(store.stats().blocks).toBe(12); // each value's payload and its head
    expect(server.url).toBe(`lm://127.0.0.1:${server.port}`);
    expect(
      await metric(registry, 'infernode_kv_lmcache_requests_total', {
        command: 'get',
        result: 'ok',
      }),
    ).toBe(6);
    expect(
      await metric(registry, 'infernode_kv_lmcache_requests_total', {
        command: 'get',
        result: 'miss',
      }),
    ).toBe(1);
  }, 90_000);

  it('closes a connection whose PUT announces more than the frame limit, before buffering it', async () => {
    const { server, registry } = await listen({ maxFrameBytes: MiB });
    const bad = await rawClient(server.port);
    bad.send(header({ command: 'put', key: 'k', length: 2 ** 31 - 1 }));
    await bad.closed();
    expect(
      await metric(registry, 'infernode_kv_lmcache_faults_total', { reason: 'too-large' }),
    ).toBe(1);
  });

  it('closes on an unknown command, a negative length, a non-UTF-8 key and garbage; others go on', async () => {
    const { server, registry } = await listen();
    const good = await rawClient(server.port);
    const value = new Uint8Array(5000).map((_, i) => i & 0xff);
    good.send(header({ command: 'put', key: 'kept', length: value.length }));
    good.send(value);

    const unknown = await rawClient(server.port);
    const bytes = header({ key: 'x' });
    new DataView(bytes.buffer).setInt32(0, 77, true);
    unknown.send(bytes);
    await unknown.closed();

    const negative = await rawClient(server.port);
    negative.send(header({ command: 'put', key: 'x', length: -5 }));
    await negative.closed();

    const badKey = await rawClient(server.port);
    const keyed = header({ command: 'get', key: 'x' });
    keyed.set([0xff, 0xfe, 0xc0], 40);
    badKey.send(keyed);
    await badKey.closed();

    const garbage = await rawClient(server.port);
    garbage.send(new Uint8Array(4096).fill(0xee));
    await garbage.closed();

    good.send(header({ command: 'get', key: 'kept' }));
    const reply = decodeServerHeader(await good.read(LMCACHE_SERVER_HEADER_BYTES));
    expect(reply).toMatchObject({ code: LMCACHE_SUCCESS, length: value.length });
    expect(Buffer.from(await good.read(value.length)).equals(Buffer.from(value))).toBe(true);
    const faults = (reason: string) =>
      metric(registry, 'infernode_kv_lmcache_faults_total', { reason });
    expect(await faults('unknown-command')).toBe(2); // 77, and 0xeeeeeeee
    expect(await faults('negative-length')).toBe(1);
    expect(await faults('bad-key')).toBe(1);
  });

  it('a truncated header is held until it stalls, then closed as stalled', async () => {
    const { server, registry } = await listen({ stallTimeoutMs: 200 });
    const slow = await rawClient(server.port);
    slow.send(header({ command: 'get', key: 'k' }).subarray(0, 100));
    await slow.closed();
    expect(await metric(registry, 'infernode_kv_lmcache_faults_total', { reason: 'stalled' })).toBe(
      1,
    );
  });

  it('reads through a PUT too large for the store and stays in step', async () => {
    const { server, store, registry } = await listen({ maxFrameBytes: 32 * MiB });
    const c = await rawClient(server.port);
    const big = 17 * MiB; // over the largest slot of this store (16 MiB slabs)
    c.send(header({ command: 'put', key: 'big', length: big }));
    c.send(new Uint8Array(big));
    c.send(header({ command: 'exist', key: 'big' }));
    expect(decodeServerHeader(await c.read(LMCACHE_SERVER_HEADER_BYTES)).code).toBe(LMCACHE_FAIL);
    expect(store.stats().blocks).toBe(0);
    expect(
      await metric(registry, 'infernode_kv_lmcache_requests_total', {
        command: 'put',
        result: 'dropped',
      }),
    ).toBe(1);
  });

  it('stores a PUT sent in pieces byte for byte, and frees the slot of one cut off mid-way', async () => {
    const { server, store } = await listen();
    const c = await rawClient(server.port);
    const value = Uint8Array.from({ length: 3 * MiB + 5 }, (_, i) => (i * 7 + 3) & 0xff);
    c.send(header({ command: 'put', key: 'whole', length: value.length }));
    for (let at = 0; at < value.length; at += 300_001) {
      c.send(value.subarray(at, at + 300_001));
      await new Promise((r) => setTimeout(r, 2));
    }
    c.send(header({ command: 'get', key: 'whole' }));
    const head = decodeServerHeader(await c.read(LMCACHE_SERVER_HEADER_BYTES));
    expect([head.code, head.length]).toEqual([LMCACHE_SUCCESS, value.length]);
    expect(Buffer.compare(await c.read(value.length), value)).toBe(0);

    const all = roomsLeft(store, 3 * MiB); // (evicting the value above)
    const cut = await rawClient(server.port);
    cut.send(header({ command: 'put', key: 'cut', length: 2 * MiB }));
    cut.send(value.subarray(0, MiB));
    // Its slots are held (open rooms are not evictable) until the PUT ends.
    await waitFor(() => roomsLeft(store, 3 * MiB) < all, 'the cut PUT to hold its slots');
    cut.socket.destroy();
    await waitFor(() => roomsLeft(store, 3 * MiB) === all, 'its slots to be freed');
  });

  it('refuses peers outside the allowed CIDRs and connections over the limit', async () => {
    const { server, registry } = await listen({ allowedCidrs: ['10.0.0.0/8'] });
    const outsider = await rawClient(server.port);
    await outsider.closed();
    expect(
      await metric(registry, 'infernode_kv_lmcache_faults_total', { reason: 'not-allowed' }),
    ).toBe(1);
    await server.stop();

    const second = await listen({ maxConnections: 1 });
    const first = await rawClient(second.server.port);
    first.send(header({ command: 'health' }));
    await first.read(LMCACHE_SERVER_HEADER_BYTES);
    const extra = await rawClient(second.server.port);
    await extra.closed();
    expect(
      await metric(second.registry, 'infernode_kv_lmcache_faults_total', { reason: 'too-many' }),
    ).toBe(1);
  });
});
