import { afterEach, describe, expect, it } from 'vitest';
import {
  createReplyDecoder,
  encodeRequest,
  joinFrame,
  payloadParts,
  type BlockReply,
} from '../../../src/kvcache/index.js';
import { BlockClient } from '../../../src/kvcache/adapters/index.js';
import { hasCode } from '../../../src/shared/index.js';
import {
  blockBytes,
  metricValue,
  rawSocket,
  readUntilClosed,
  startBlockService,
  type ServiceFixture,
} from '../../helpers/kv-block-service.js';

const TOKEN = 'cluster-secret';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function service(
  options: Parameters<typeof startBlockService>[0] = {},
): Promise<ServiceFixture> {
  const s = await startBlockService(options);
  cleanups.push(() => s.close());
  return s;
}
function client(options: Partial<ConstructorParameters<typeof BlockClient>[0]> = {}): BlockClient {
  const c = new BlockClient({ token: TOKEN, ...options });
  cleanups.push(() => c.close());
  return c;
}
const frame = (req: Parameters<typeof encodeRequest>[0]): Uint8Array =>
  joinFrame(encodeRequest(req));
const replies = (bytes: Uint8Array): BlockReply[] => createReplyDecoder().push(bytes).messages;

describe('native block service round trips over real sockets', () => {
  it('puts, gets, checks, finds the longest prefix and deletes, many blocks per frame', async () => {
    const s = await service({ store: { slotSizes: [8192] } });
    const c = client();
    const keys = Array.from({ length: 50 }, (_, i) => 1000 + i);
    const blocks = keys.map((key, i) => ({ key, bytes: blockBytes(i, 4096 + i) }));
    expect(await c.putMany(s.url, blocks)).toEqual(keys.map(() => 'stored'));
    expect(await c.putMany(s.url, blocks.slice(0, 2))).toEqual(['present', 'present']);

    const got = await c.getMany(s.url, [...keys, 7]);
    expect(got.size).toBe(50);
    for (const b of blocks) expect(Buffer.from(got.get(b.key) ?? [])).toEqual(Buffer.from(b.bytes));
    expect(got.has(7)).toBe(false);

    expect(await c.exists(s.url, [1000, 7, 1049])).toEqual([true, false, true]);
    expect(await c.longestPrefix(s.url, [1000, 1001, 1002, 7, 1003])).toBe(3);
    expect(await c.delete(s.url, [1001, 7])).toEqual([true, false]);
    expect(await c.longestPrefix(s.url, [1000, 1001, 1002])).toBe(1);
    expect(await metricValue(s.registry, 'infernode_kv_hits_total', { tier: 'l1' })).toBe(50);
    expect(await metricValue(s.registry, 'infernode_kv_misses_total', { tier: 'l1' })).toBe(1);
    expect(
      await metricValue(s.registry, 'infernode_kv_ops_total', { op: 'put', outcome: 'ok' }),
    ).toBe(2);
    expect(await metricValue(s.registry, 'infernode_kv_store_blocks')).toBe(49);
  });

  it('asks again for blocks that did not fit one reply frame', async () => {
    const maxFrameBytes = 64 * 1024;
    const s = await service({ maxFrameBytes, store: { slotSizes: [32 * 1024] } });
    const c = client({ maxFrameBytes });
    const blocks = Array.from({ length: 10 }, (_, i) => ({
      key: 50 + i,
      bytes: blockBytes(i, 20_000),
    }));
    await c.putMany(s.url, blocks);
    const raw = await c.call(s.url, { op: 'get', keys: blocks.map((b) => b.key) });
    expect(raw.op === 'get' && raw.blocks.filter((b) => b.status === 'omitted').length).toBe(7);
    const got = await c.getMany(
      s.url,
      blocks.map((b) => b.key),
    );
    expect([...got.keys()].sort((a, b) => a - b)).toEqual(blocks.map((b) => b.key));
    expect(Buffer.from(got.get(59) ?? [])).toEqual(Buffer.from(blocks[9]?.bytes ?? []));
  });

  it('receives big blocks into memory the caller gives back, which carries the next replies', async () => {
    const s = await service({ store: { slotSizes: [2 << 20] } });
    const c = client({ connectionsPerPeer: 1 });
    const blocks = [1, 2, 3].map((key) => ({ key, bytes: blockBytes(key, 1_500_000) }));
    // One frame each: the first, pipelined behind auth, is decoded into two 1 MiB receive
    // segments; the next two are stored as they arrive, straight into the store's slots.
    for (const b of blocks) expect(await c.putMany(s.url, [b])).toEqual(['stored']);
    const hits = async (key: number) => {
      const reply = await c.call(s.url, { op: 'get', keys: [key] });
      const hit = reply.op === 'get' ? reply.blocks[0] : undefined;
      if (hit?.status !== 'hit') throw new Error(`block ${key} did not come back`);
      return hit;
    };
    const first = await hits(1);
    expect(Buffer.compare(first.bytes, blocks[0]?.bytes ?? new Uint8Array())).toBe(0);
    const firstMemory = new Set(payloadParts(first).map((p) => p.buffer));
    c.recycle([first]);
    const second = await hits(2);
    // Received straight into the memory given back.
    expect(payloadParts(second).every((p) => firstMemory.has(p.buffer))).toBe(true);
    // Not given back: the next reply must not land in it.
    const third = await hits(3);
    expect(payloadParts(third).some((p) => firstMemory.has(p.buffer))).toBe(false);
    expect(Buffer.compare(second.bytes, blocks[1]?.bytes ?? new Uint8Array())).toBe(0);
    expect(Buffer.compare(third.bytes, blocks[2]?.bytes ?? new Uint8Array())).toBe(0);
    // So the service never took more than the first put's two segments.
    expect(await metricValue(s.registry, 'infernode_kv_receive_fresh_segments_total')).toBe(2);
    expect(await metricValue(s.registry, 'infernode_kv_receive_pool_bytes')).toBeGreaterThan(0);
  });

  it('evicts when full and never holds more than its budget', async () => {
    const budgetBytes = 1024 * 1024;
    const s = await service({
      store: { budgetBytes, slotSizes: [16 * 1024], slabBytes: 256 * 1024 },
    });
    const c = client();
    for (let round = 0; round < 4; round++) {
      const blocks = Array.from({ length: 64 }, (_, i) => ({
        key: round * 64 + i,
        bytes: blockBytes(i, 16 * 1024),
      }));
      await c.putMany(s.url, blocks);
      expect(s.store.stats().slabBytes).toBeLessThanOrEqual(budgetBytes);
    }
    expect(await metricValue(s.registry, 'infernode_kv_store_evictions_total')).toBeGreaterThan(0);
    expect(await metricValue(s.registry, 'infernode_kv_store_used_bytes')).toBeLessThanOrEqual(
      budgetBytes,
    );
    expect(await metricValue(s.registry, 'infernode_kv_store_budget_bytes')).toBe(budgetBytes);
  });
});

describe('native block service refuses bad clients, one connection at a time', () => {
  it('refuses a wrong token with a clear error and counts the closed connection', async () => {
    const s = await service();
    const err = await client({ token: 'not-it' })
      .exists(s.url, [1])
      .catch((e: unknown) => e);
    expect(hasCode(err, 'KV_PEER_REFUSED')).toBe(true);
    expect((err as Error).message).toMatch(/unauthenticated/);
    expect(
      await metricValue(s.registry, 'infernode_kv_connections_closed_total', {
        reason: 'unauthenticated',
      }),
    ).toBe(1);
    expect(await client().exists(s.url, [1])).toEqual([false]);
  });

  it.each([
    ['with no auth first', [] as { token: string }[]],
    ['behind a wrong token', [{ token: 'not-it' }]],
  ])('stores nothing of a put sent %s, even pipelined in one write', async (_how, auths) => {
    const s = await service();
    const socket = await rawSocket(s.server.port);
    const put = frame({ op: 'put', id: 2, blocks: [{ key: 77, bytes: blockBytes(7, 300_000) }] });
    const auth = auths.map((a) => frame({ op: 'auth', id: 1, token: a.token, peer: false }));
    socket.write(Buffer.concat([...auth, put]));
    const got = replies(await readUntilClosed(socket));
    expect(got.at(-1)).toMatchObject({ op: 'error', code: 'unauthenticated' });
    expect(s.store.exists([77])).toEqual([false]);
    expect(s.store.stats().blocks).toBe(0);
  });

  it('answers a first frame that is not auth with unauthenticated and closes', async () => {
    const s = await service();
    const socket = await rawSocket(s.server.port);
    socket.write(frame({ op: 'get', id: 9, keys: [1] }));
    const [reply] = replies(await readUntilClosed(socket));
    expect(reply).toMatchObject({ op: 'error', id: 9, code: 'unauthenticated' });
  });

  it.each([
    ['malformed', 'a bad magic', Uint8Array.from([1, 2, 3, 4, ...new Array<number>(12).fill(0)])],
    [
      'oversized',
      'a frame past the bound',
      Uint8Array.from([0x49, 0x4b, 0x56, 0x01, 0xff, 0xff, 0xff, 0x0f, 2, 0, 0, 0, 1, 0, 0, 0]),
    ],
  ])(
    'closes a connection sending %s input (%s) and keeps serving the others',
    async (reason, _what, bad) => {
      const s = await service();
      const good = client();
      await good.putMany(s.url, [{ key: 5, bytes: blockBytes(5, 100) }]);
      const socket = await rawSocket(s.server.port);
      socket.write(frame({ op: 'auth', id: 1, token: TOKEN, peer: false }));
      socket.write(bad);
      const got = replies(await readUntilClosed(socket));
      expect(got.map((r) => r.op)).toEqual(['auth', 'error']);
      expect(
        await metricValue(s.registry, 'infernode_kv_connections_closed_total', { reason }),
      ).toBe(1);
      expect(await good.exists(s.url, [5])).toEqual([true]);
    },
  );

  it('turns a connection past the bound away with busy', async () => {
    const s = await service({ maxConnections: 1 });
    const first = await rawSocket(s.server.port);
    cleanups.push(() => void first.destroy());
    const err = await client()
      .exists(s.url, [1])
      .catch((e: unknown) => e);
    expect(hasCode(err, 'KV_PEER_REFUSED')).toBe(true);
    expect((err as Error).message).toMatch(/busy/);
    expect(
      await metricValue(s.registry, 'infernode_kv_connections_closed_total', {
        reason: 'too-many-connections',
      }),
    ).toBe(1);
  });
});
