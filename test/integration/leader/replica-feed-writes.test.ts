/**
 * The replica feed's deltas of one event-loop turn leave in one write per follower (issue #18:
 * a write per delta was half of the feed's cost on the leader at 1,000 nodes), in order, and
 * nothing waits past the turn; agents' binary KV frames go as they came to followers that read
 * them, as JSON to the others. Real WebSockets on loopback; the writes are counted at the
 * follower's socket's stream implementation (`_write` / `_writev`).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ReplicaFeedMetrics } from '../../../src/leader/replica-feed-metrics.js';
import { ReplicaFeedServer } from '../../../src/leader/replica-feed-server.js';
import {
  PROTOCOL_VERSION,
  checkKvBinary,
  decodeReplicaFeedMessage,
  decodeReplicaKvFrame,
  encodeKvBinary,
  type KvMessage,
} from '../../../src/protocol/index.js';
import { createRegistry } from '../../../src/shared/index.js';
import { waitFor } from '../../helpers/wait-for.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A feed on loopback whose follower sockets count their writes; its log lines are kept. */
async function feedWithCountedWrites() {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const feed = new ReplicaFeedServer({
    token: '',
    listenHost: '127.0.0.1',
    leading: () => ({ leader: 'leader-0', epoch: 1 }),
    snapshot: () => ({ nodes: [], prefixes: [] }),
    onFollowerPrefixes: () => undefined,
    log,
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
  return { feed, writes, received, port, lines };
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

describe('ReplicaFeedServer KV batches', () => {
  it('relays an agent’s binary frame as it came to a follower that reads them, JSON to others', async () => {
    const { feed, port, lines } = await feedWithCountedWrites();
    const binaryFollower = await follower(port, { kvBinary: true });
    const jsonFollower = await follower(port, {});
    // Both hellos have reached the leader before the batches go out.
    const joined = (): number => lines.filter((l) => l.includes('gateway replica joined')).length;
    await waitFor(() => joined() === 2, 'both hellos');
    const batch: KvMessage = {
      v: 1,
      type: 'kv',
      seq: 4,
      deltas: [{ tier: 'gpu', engineId: 'n1/e0', stored: [11, 12, 13], removed: [9] }],
    };
    const frame = checkKvBinary(encodeKvBinary(batch));
    if (!frame.ok) throw new Error(frame.reason);
    feed.publishKv('n1', frame.message);
    feed.publishKv('n2', batch); // an agent that sends JSON: JSON to everyone
    await waitFor(() => binaryFollower.got.length === 2 && jsonFollower.got.length === 2, 'both');
    const [first, second] = binaryFollower.got;
    expect(first?.isBinary).toBe(true);
    const decoded = decodeReplicaKvFrame(first?.raw as Buffer);
    expect(decoded.ok && decoded.message).toMatchObject({ type: 'replica.kv', seq: 1, node: 'n1' });
    expect(decoded.ok && decoded.message.batch.message).toEqual(batch);
    expect(second?.isBinary).toBe(false);
    for (const [i, m] of jsonFollower.got.entries()) {
      expect(m.isBinary).toBe(false);
      const d = decodeReplicaFeedMessage(m.raw);
      expect(d.ok && d.message).toEqual({
        type: 'replica.kv',
        node: i === 0 ? 'n1' : 'n2',
        batch,
        v: PROTOCOL_VERSION,
        seq: i + 1,
      });
    }
  });
});

/** A follower's socket: says hello (with `kvBinary` if asked), keeps what arrives after the welcome. */
async function follower(port: number, hello: { kvBinary?: true }) {
  const got: { raw: Buffer; isBinary: boolean }[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/replicas`);
  let welcomed = false;
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    if (welcomed) got.push({ raw, isBinary });
    welcomed = true;
  });
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'replica.hello', identity: 'f', ...hello }));
  stops.push(() => {
    ws.close();
    return Promise.resolve();
  });
  return { got };
}
