import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRequest, joinFrame } from '../../../src/kvcache/index.js';
import { BlockClient } from '../../../src/kvcache/adapters/index.js';
import { hasCode } from '../../../src/shared/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  blockBytes,
  metricValue,
  rawSocket,
  startBlockService,
} from '../../helpers/kv-block-service.js';

const TOKEN = 'cluster-secret';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('native block service under a slow reader', () => {
  it('stops reading a client that does not take its replies, so queued bytes stay bounded', async () => {
    const writeHighWaterBytes = 1024 * 1024;
    const maxFrameBytes = 4 * 1024 * 1024;
    const s = await startBlockService({
      writeHighWaterBytes,
      maxFrameBytes,
      store: { slotSizes: [256 * 1024] },
    });
    cleanups.push(() => s.close());
    const c = new BlockClient({ token: TOKEN, maxFrameBytes });
    cleanups.push(() => c.close());
    await c.putMany(s.url, [{ key: 1, bytes: blockBytes(1, 256 * 1024) }]);

    // A client that asks for ~4 MiB per request and never reads a reply.
    const socket = await rawSocket(s.server.port);
    cleanups.push(() => void socket.destroy());
    socket.pause();
    socket.write(joinFrame(encodeRequest({ op: 'auth', id: 1, token: TOKEN, peer: false })));
    const get = (id: number): Uint8Array =>
      joinFrame(encodeRequest({ op: 'get', id, keys: new Array<number>(15).fill(1) }));
    let id = 2;
    // Once the server stops reading, the kernel buffers fill and our own writes back up.
    await waitFor(
      async () => {
        for (let i = 0; i < 2000; i++) socket.write(get(id++));
        await new Promise((r) => setImmediate(r));
        return socket.writableLength > 1024 * 1024;
      },
      'the server to stop reading the slow client',
      20_000,
      1,
    );

    const queued = await metricValue(s.registry, 'infernode_kv_queued_bytes');
    expect(queued).toBeGreaterThan(0);
    expect(queued).toBeLessThanOrEqual(writeHighWaterBytes + maxFrameBytes);
    // Replies were not copied: every queued reply pins the one block, bounded like the bytes.
    expect(s.store.stats().pinnedViews).toBeLessThanOrEqual(2 * 15);
    // Other clients are still served meanwhile.
    expect(await c.exists(s.url, [1])).toEqual([true]);

    socket.destroy();
    await waitFor(() => s.store.stats().pinnedViews === 0, 'pins released on close');
    expect(await metricValue(s.registry, 'infernode_kv_queued_bytes')).toBe(0);
  });
});

describe('native block client against a peer that dies', () => {
  let fake: Server;
  const sockets = new Set<Socket>();
  async function dyingPeer(onRequest: (socket: Socket, bytes: number) => void): Promise<string> {
    fake = createServer((socket) => {
      sockets.add(socket);
      let seen = 0;
      socket.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        onRequest(socket, seen);
      });
      socket.on('error', () => undefined);
    });
    fake.listen(0, '127.0.0.1');
    await once(fake, 'listening');
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => fake.close(r));
    });
    const address = fake.address();
    return `ikv://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  }

  it('fails pending calls at once, with KV_PEER_UNAVAILABLE, when the peer dies mid-transfer', async () => {
    // Answers auth, starts a get reply (header and half a block), then the process "dies".
    const url = await dyingPeer((socket, seen) => {
      if (seen < 40) return; // auth is 33 bytes: die on the first request after it
      const header = Buffer.from([0x49, 0x4b, 0x56, 0x01, 0, 0, 0x10, 0, 2, 1, 0, 0, 2, 0, 0, 0]);
      socket.write(Buffer.concat([header, Buffer.alloc(4096)]));
      socket.destroy();
    });
    const c = new BlockClient({ token: TOKEN, callTimeoutMs: 120_000 });
    cleanups.push(() => c.close());
    const err = await c.getMany(url, [1, 2, 3, 4]).catch((e: unknown) => e);
    // Not a timeout: the close itself failed the call.
    expect(hasCode(err, 'KV_PEER_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(/closed the connection/);
    // The next call reconnects (and fails again here, as the peer keeps dying).
    const again = await c.exists(url, [1]).catch((e: unknown) => e);
    expect(hasCode(again, 'KV_PEER_UNAVAILABLE')).toBe(true);
  });

  it('fails a call to a peer that is not listening with KV_PEER_UNAVAILABLE', async () => {
    const url = await dyingPeer(() => undefined);
    await new Promise((r) => fake.close(r));
    const c = new BlockClient({ token: TOKEN, callTimeoutMs: 120_000 });
    cleanups.push(() => c.close());
    const err = await c.exists(url, [1]).catch((e: unknown) => e);
    expect(hasCode(err, 'KV_PEER_UNAVAILABLE')).toBe(true);
  });

  it('times out a call the peer never answers, and aborts one on its signal', async () => {
    const url = await dyingPeer(() => undefined);
    const c = new BlockClient({ token: TOKEN });
    cleanups.push(() => c.close());
    const timedOut = await c.exists(url, [1], { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(hasCode(timedOut, 'KV_PEER_TIMEOUT')).toBe(true);
    const stop = new AbortController();
    const pending = c.exists(url, [1], { signal: stop.signal }).catch((e: unknown) => e);
    stop.abort();
    expect(hasCode(await pending, 'KV_ABORTED')).toBe(true);
    const already = await c.exists(url, [1], { signal: stop.signal }).catch((e: unknown) => e);
    expect(hasCode(already, 'KV_ABORTED')).toBe(true);
  });
});
