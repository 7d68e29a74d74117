/**
 * The replica feed's deltas of one event-loop turn leave in one write per follower (issue #18:
 * a write per delta was half of what a follower cost the leader at 1,000 nodes), in order, and
 * nothing waits past the turn. Real WebSockets on loopback; the writes are counted at the
 * follower's socket's stream implementation (`_write` / `_writev`).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ReplicaFeedMetrics } from '../../../src/leader/replica-feed-metrics.js';
import { ReplicaFeedServer } from '../../../src/leader/replica-feed-server.js';
import { PROTOCOL_VERSION } from '../../../src/protocol/index.js';
import { createRegistry, silentLogger } from '../../../src/shared/index.js';
import { waitFor } from '../../helpers/wait-for.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A feed on loopback whose follower sockets count their writes. */
async function feedWithCountedWrites() {
  const feed = new ReplicaFeedServer({
    token: '',
    listenHost: '127.0.0.1',
    leading: () => ({ leader: 'leader-0', epoch: 1 }),
    snapshot: () => ({ nodes: [], prefixes: [] }),
    onFollowerPrefixes: () => undefined,
    log: silentLogger(),
    metrics: new ReplicaFeedMetrics(createRegistry()),
  });
  const writes = { count: 0 };
  const server = http.createServer();
  server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    const single = socket._write.bind(socket);
    const many = socket._writev?.bind(socket);
    socket._write = (chunk, encoding, cb) => {
      writes.count++;
      single(chunk, encoding, cb);
    };
    if (many !== undefined)
      socket._writev = (chunks, cb) => {
        writes.count++;
        many(chunks, cb);
      };
    feed.handleUpgrade(req, socket, head);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stopFeed = new AbortController();
  const running = feed.run(stopFeed.signal);
  const { port } = server.address() as AddressInfo;
  const received: { type: string; seq: number }[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/replicas`);
  ws.on('message', (raw: Buffer) => received.push(JSON.parse(raw.toString()) as never));
  stops.push(async () => {
    ws.close();
    stopFeed.abort();
    await running;
    await new Promise((resolve) => server.close(resolve));
  });
  await waitFor(() => received.length === 1, 'the welcome');
  return { feed, writes, received };
}

describe('ReplicaFeedServer writes', () => {
  it('sends the deltas of one turn in one write, in order, then the next turn in another', async () => {
    const { feed, writes, received } = await feedWithCountedWrites();
    expect(received[0]).toMatchObject({ type: 'replica.welcome', seq: 0 });
    const before = writes.count;
    for (let i = 0; i < 50; i++) feed.publish({ type: 'replica.lost', node: `node-${i}` });
    // Nothing left yet: the socket is corked until the turn's I/O callbacks are done.
    expect(writes.count).toBe(before);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes.count).toBe(before + 1);
    for (let i = 0; i < 3; i++) feed.publish({ type: 'replica.lost', node: 'again' });
    await waitFor(() => received.length === 1 + 53, 'every delta');
    expect(writes.count).toBe(before + 2);
    expect(received.slice(1).map((m) => m.seq)).toEqual(
      Array.from({ length: 53 }, (_, i) => i + 1),
    );
    expect(received.slice(1).every((m) => m.type === 'replica.lost')).toBe(true);
    expect(received[1]).toMatchObject({ v: PROTOCOL_VERSION, node: 'node-0' });
  });
});
