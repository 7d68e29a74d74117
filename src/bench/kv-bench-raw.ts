/**
 * The raw loopback TCP baseline of `bench kv`: a node:net server that reads a request of N
 * bytes and writes an M-byte reply from memory it already holds, and its client. It moves the
 * bytes the block service moves (the same payloads, headers of like size) with no protocol
 * work at all, so BlockServer ÷ raw says what infernode's framing, store and auth cost.
 *
 * Request: u32 LE payload length, u32 LE reply length, payload. Reply: u32 LE length, bytes.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { readInto } from '../kvcache/adapters/index.js';

const REQUEST_HEADER = 8;
const REPLY_HEADER = 4;
/** As large as the block client's largest read (one receive segment, receive-pool.ts). */
const READ_BUFFER_BYTES = 1 << 20;

/** Counts of a raw server's traffic. */
export interface RawCounters {
  bytesIn: number;
  bytesOut: number;
}

/** Starts the raw server on 127.0.0.1 (any port); replies are slices of one filled buffer. */
export async function startRawServer(
  maxReplyBytes: number,
): Promise<{ server: Server; port: number; counters: RawCounters }> {
  const replyBytes = Buffer.alloc(maxReplyBytes, 7);
  const counters: RawCounters = { bytesIn: 0, bytesOut: 0 };
  const server = createServer((socket) => serveRaw(socket, replyBytes, counters));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { server, port, counters };
}

function serveRaw(socket: Socket, replyBytes: Buffer, counters: RawCounters): void {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  const header = Buffer.alloc(REQUEST_HEADER);
  let have = 0;
  let skip = 0;
  let replyLength = 0;
  const received = (chunk: Uint8Array): void => {
    counters.bytesIn += chunk.length;
    let at = 0;
    for (;;) {
      if (have < REQUEST_HEADER) {
        if (at >= chunk.length) break;
        const n = Math.min(REQUEST_HEADER - have, chunk.length - at);
        header.set(chunk.subarray(at, at + n), have);
        have += n;
        at += n;
        if (have < REQUEST_HEADER) break;
        skip = header.readUInt32LE(0);
        replyLength = Math.min(header.readUInt32LE(4), replyBytes.length);
      }
      const n = Math.min(skip, chunk.length - at);
      skip -= n;
      at += n;
      if (skip > 0) break;
      have = 0;
      const head = Buffer.alloc(REPLY_HEADER);
      head.writeUInt32LE(replyLength, 0);
      socket.cork();
      socket.write(head);
      socket.write(replyBytes.subarray(0, replyLength));
      socket.uncork();
      counters.bytesOut += REPLY_HEADER + replyLength;
    }
  };
  // Every read lands in one reused buffer, as the block service's land where they stay: neither
  // side pays for a fresh chunk per read (what 'data' events cost, the fallback on another Node).
  const buffer = new Uint8Array(READ_BUFFER_BYTES);
  const reads = { target: () => buffer, received: (n: number) => received(buffer.subarray(0, n)) };
  if (!readInto(socket, reads)) socket.on('data', received);
}

interface Waiter {
  remaining: number;
  readonly resolve: () => void;
}

/** One raw client socket with one call in flight at a time (the bench's workers each own one). */
export class RawClient {
  private readonly socket: Socket;
  private waiter: Waiter | undefined;
  private header = Buffer.alloc(REPLY_HEADER);
  private have = 0;
  private failure: Error | undefined;

  constructor(port: number) {
    // Reads land in one reused buffer: no allocation and no copy per read, the least a Node
    // client can do (the block client reads into its receive segments, also without a copy).
    this.socket = connect({
      host: '127.0.0.1',
      port,
      noDelay: true,
      onread: {
        buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
        callback: (n, buf) => {
          this.received(buf.subarray(0, n));
          return true;
        },
      },
    });
    this.socket.on('error', (err) => (this.failure ??= err));
    this.socket.on('close', () => {
      this.failure ??= new Error('the raw server closed the connection');
      this.waiter = undefined;
    });
  }

  /** Sends `parts` (gathered, as the block client does) and waits for a `replyLength`-byte reply. */
  call(parts: readonly Uint8Array[], replyLength: number, timeoutMs: number): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.waiter !== undefined) return Promise.reject(new Error('a raw call is in flight'));
    let payload = 0;
    for (const p of parts) payload += p.length;
    return new Promise<void>((resolve, reject) => {
      const onClose = (): void => {
        clearTimeout(timer);
        reject(this.failure ?? new Error('the raw server closed the connection'));
      };
      const timer = setTimeout(() => {
        this.failure ??= new Error(`the raw server did not answer within ${timeoutMs} ms`);
        this.socket.destroy();
      }, timeoutMs);
      this.socket.once('close', onClose);
      this.waiter = {
        remaining: -1,
        resolve: () => {
          clearTimeout(timer);
          this.socket.off('close', onClose);
          resolve();
        },
      };
      const head = Buffer.alloc(REQUEST_HEADER);
      head.writeUInt32LE(payload, 0);
      head.writeUInt32LE(replyLength, 4);
      this.socket.cork();
      this.socket.write(head);
      for (const p of parts) this.socket.write(p);
      this.socket.uncork();
    });
  }

  /** Closes the socket. */
  close(): void {
    this.socket.destroy();
  }

  private received(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && this.waiter !== undefined) {
      const w = this.waiter;
      if (w.remaining < 0) {
        const n = Math.min(REPLY_HEADER - this.have, chunk.length - at);
        this.header.set(chunk.subarray(at, at + n), this.have);
        this.have += n;
        at += n;
        if (this.have < REPLY_HEADER) break;
        this.have = 0;
        w.remaining = this.header.readUInt32LE(0);
      }
      const n = Math.min(w.remaining, chunk.length - at);
      w.remaining -= n;
      at += n;
      if (w.remaining === 0) {
        this.waiter = undefined;
        w.resolve();
      }
    }
  }
}
