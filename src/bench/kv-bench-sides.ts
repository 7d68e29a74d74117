/**
 * The two things `bench kv` compares, behind one interface: the raw TCP baseline (RawClient
 * sockets against the raw child) and the block service (a BlockClient against a BlockServer
 * child). Each call returns the payload bytes it moved, checked: a put must be `stored`, a get
 * must hit with a block of the right size, so a figure can never come from work not done.
 */
import { BlockClient, formatIkvUrl } from '../kvcache/adapters/index.js';
import { payloadLength } from '../kvcache/index.js';
import type { KvServerProcess } from './kv-bench-servers.js';
import { RawClient } from './kv-bench-raw.js';

/** Per-block header of the native wire format (key + length), mirrored by the raw requests. */
const BLOCK_HEADER_BYTES = 12;
/** The native frame header, mirrored by the raw replies' and requests' small frames. */
const FRAME_BYTES = 16;

/** One side of the comparison. */
export interface KvBenchSide {
  readonly name: 'raw' | 'block';
  readonly server: KvServerProcess;
  /** Stores `keys` (one frame) through worker `worker`'s connection; payload bytes moved. */
  put(worker: number, keys: readonly number[]): Promise<number>;
  /** Fetches `keys` (one frame); payload bytes moved. */
  get(worker: number, keys: readonly number[]): Promise<number>;
  /** Frees what a put measurement stored (untimed), so the store never has to evict. */
  forget(keys: readonly number[]): Promise<void>;
  close(): void;
}

/** What both sides are built with. */
export interface SideSettings {
  readonly blockBytes: number;
  readonly concurrency: number;
  readonly callTimeoutMs: number;
  /** The largest reply frame a call can bring (a batched get's). */
  readonly maxFrameBytes: number;
}

/** The raw TCP side: one socket per worker, a call in flight on each. */
export function rawSide(server: KvServerProcess, s: SideSettings): KvBenchSide {
  const clients = Array.from({ length: s.concurrency }, () => new RawClient(server.port));
  const data = new Uint8Array(s.blockBytes).fill(7);
  const blockHeader = new Uint8Array(BLOCK_HEADER_BYTES);
  const client = (w: number): RawClient => clients[w % clients.length] as RawClient;
  return {
    name: 'raw',
    server,
    async put(worker, keys) {
      const parts: Uint8Array[] = [new Uint8Array(FRAME_BYTES - 8)];
      keys.forEach(() => parts.push(blockHeader, data));
      await client(worker).call(parts, FRAME_BYTES + keys.length, s.callTimeoutMs);
      return keys.length * s.blockBytes;
    },
    async get(worker, keys) {
      const request = new Uint8Array(FRAME_BYTES - 8 + 4 + 8 * keys.length);
      const replyLength = FRAME_BYTES + keys.length * (BLOCK_HEADER_BYTES + s.blockBytes);
      await client(worker).call([request], replyLength - 4, s.callTimeoutMs);
      return keys.length * s.blockBytes;
    },
    forget: () => Promise.resolve(),
    close: () => clients.forEach((c) => c.close()),
  };
}

/** The block service side: a BlockClient with one connection per worker, token auth. */
export function blockSide(server: KvServerProcess, token: string, s: SideSettings): KvBenchSide {
  const client = new BlockClient({
    token,
    connectionsPerPeer: s.concurrency,
    callTimeoutMs: s.callTimeoutMs,
    // Every worker's reply memory is reused (as a connector sized for its concurrency would).
    maxPooledBytes: s.concurrency * s.maxFrameBytes,
  });
  const url = formatIkvUrl('127.0.0.1', server.port);
  const data = new Uint8Array(s.blockBytes).fill(7);
  return {
    name: 'block',
    server,
    async put(_worker, keys) {
      const reply = await client.call(url, {
        op: 'put',
        blocks: keys.map((key) => ({ key, bytes: data })),
      });
      if (reply.op !== 'put' || reply.results.some((r) => r !== 'stored'))
        throw new Error(`bench kv: a put was not stored: ${JSON.stringify(reply).slice(0, 200)}`);
      return keys.length * s.blockBytes;
    },
    async get(_worker, keys) {
      const reply = await client.call(url, { op: 'get', keys });
      if (reply.op !== 'get') throw new Error(`bench kv: a get was answered by ${reply.op}`);
      let bytes = 0;
      for (const b of reply.blocks) {
        // Taken as the views the client copied it into (payloadParts), as a connector copying
        // it on to GPU memory would; reading `b.bytes` would join a block split over segments.
        const length = b.status === 'hit' ? payloadLength(b) : -1;
        if (length !== s.blockBytes)
          throw new Error(`bench kv: block ${b.key} came back ${b.status} (${length} bytes)`);
        bytes += length;
      }
      // Counted, as a connector copying them on would be done with them: the memory is reused.
      client.recycle(reply.blocks.flatMap((b) => (b.status === 'hit' ? [b] : [])));
      return bytes;
    },
    async forget(keys) {
      if (keys.length > 0) await client.delete(url, keys, { timeoutMs: s.callTimeoutMs });
    },
    close: () => client.close(),
  };
}
