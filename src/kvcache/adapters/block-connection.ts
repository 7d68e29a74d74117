/**
 * One client connection of the block service: the frame loop that reads requests, hands them to
 * the connection's BlockRequestHandler (auth, L1, L2: block-request-handler.ts) and writes the
 * replies with bounded memory.
 *
 * Backpressure: decoded requests wait in a queue; the queue is only worked while the socket's
 * unsent reply bytes are under the high-water mark and fewer than `maxInFlight` L2 requests are
 * pending. Otherwise the socket is paused, so a client that does not read its replies stops
 * being read too (TCP pushes back on it) and the server holds at most about one reply frame
 * over the mark. Pinned store views are written as they are (no copy) and released when their
 * write has drained or the connection closed.
 *
 * Any frame the decoder refuses, an unauthenticated first frame, an idle connection and a frame
 * that stalls half-received close this connection only, with an error reply where one can be
 * sent, counted by reason.
 */
import type { Socket } from 'node:net';
import type { BlockView } from '../block-store.js';
import { createRequestDecoder, type MessageDecoder } from '../block-wire-decoder.js';
import type { BlockReply, BlockRequest, WireErrorCode } from '../block-wire-format.js';
import { storePutSink } from '../block-requests.js';
import { encodeReply } from '../block-wire.js';
import { payloadParts } from '../received-bytes.js';
import { readInto } from './accepted-socket-reads.js';
import type { ConnectionContext } from './block-connection-context.js';
import { BlockRequestHandler } from './block-request-handler.js';
import type { CloseReason } from './block-service-metrics.js';

/** One connection (see the file comment); `closed` settles when its socket is gone. */
export class BlockConnection {
  readonly closed: Promise<void>;
  private readonly decoder: MessageDecoder<BlockRequest>;
  private readonly handler: BlockRequestHandler;
  private readonly queue: BlockRequest[] = [];
  private readonly pinned = new Set<BlockView>();
  private readonly stop = new AbortController();
  private inFlight = 0;
  private paused = false;
  private ending = false;
  private frameTimer: NodeJS.Timeout | undefined;
  private readonly socket: Socket;
  private readonly ctx: ConnectionContext;

  /** Whether a peer agent (not a local engine) authenticated on this connection. */
  get isPeer(): boolean {
    return this.handler.isPeer;
  }

  constructor(socket: Socket, ctx: ConnectionContext) {
    this.socket = socket;
    this.ctx = ctx;
    this.handler = new BlockRequestHandler(ctx, {
      write: (reply, views) => this.write(reply, views),
      fail: (reason, reply) => this.fail(reason, reply),
      track: (work) => this.track(work),
      closing: this.stop.signal,
    });
    // A put is stored as it arrives once the connection is authenticated and nothing is queued
    // ahead of it (order and auth kept); otherwise it is decoded whole and stored when handled.
    const puts = storePutSink(
      ctx.store,
      () => this.handler.authenticated && this.queue.length === 0 && !this.ending,
    );
    this.decoder = createRequestDecoder({ maxFrameBytes: ctx.maxFrameBytes }, ctx.memory, puts);
    socket.setNoDelay(true);
    socket.setTimeout(ctx.idleTimeoutMs, () => this.fail('idle-timeout'));
    // Reads land where the decoder wants them (a put's store slot, a body's segment), as the
    // block client's do; where this Node cannot do that for an accepted socket, 'data' chunks.
    const reads = {
      target: () => this.decoder.readTarget(),
      received: (n: number, buffer: Uint8Array) => this.received(buffer.subarray(0, n)),
    };
    if (!readInto(socket, reads)) socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('drain', () => this.pump());
    socket.on('error', () => this.fail('socket-error'));
    socket.on('end', () => this.fail('client'));
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.stop.abort();
        this.decoder.dispose();
        clearTimeout(this.frameTimer);
        for (const view of this.pinned) view.release();
        this.pinned.clear();
        resolve();
      }),
    );
  }

  /** Reply bytes written and not yet sent. */
  get queuedBytes(): number {
    return this.socket.writableLength;
  }

  /** Closes the connection, counted as `reason`; an error reply first when given. */
  fail(reason: CloseReason, reply?: { code: WireErrorCode; message: string; id?: number }): void {
    if (this.ending) return;
    this.ending = true;
    this.ctx.metrics.closed.inc({ reason });
    this.queue.length = 0;
    clearTimeout(this.frameTimer);
    if (reply === undefined || this.socket.destroyed) {
      this.socket.destroy();
      return;
    }
    const frame = encodeReply({ op: 'error', id: reply.id ?? 0, ...reply });
    this.socket.end(Buffer.concat(frame));
    // A client that never reads must not keep the socket: give the reply a moment, then drop it.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private received(chunk: Uint8Array): void {
    if (this.ending) return;
    this.ctx.metrics.bytesIn.inc(chunk.length);
    const res = this.decoder.push(chunk);
    this.queue.push(...res.messages);
    if (!res.ok) {
      // The frames before the bad one are answered: bad input loses nothing it came after.
      // (Once a frame closes the connection, the rest are dropped by write() and fail().)
      for (const req of this.queue.splice(0)) this.handle(req);
      const oversized = res.fault === 'frame-too-large';
      this.fail(oversized ? 'oversized' : 'malformed', {
        code: oversized ? 'frame-too-large' : 'malformed',
        message: res.reason,
      });
      return;
    }
    this.pump();
  }

  /** Answers `req`; a put's blocks are in the store by then, so their memory is reused. */
  private handle(req: BlockRequest | undefined): void {
    if (req === undefined) return;
    this.handler.handle(req);
    if (req.op === 'put') for (const b of req.blocks) this.ctx.memory.give(payloadParts(b));
  }

  /** Works the queue while the bounds allow; pauses the socket otherwise (file comment). */
  private pump(): void {
    while (!this.ending && this.queue.length > 0 && !this.full()) this.handle(this.queue.shift());
    if (this.ending) return;
    const stall = this.queue.length > 0 || this.full();
    if (stall && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!stall && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    this.armFrameTimer();
  }

  private full(): boolean {
    return (
      this.socket.writableLength >= this.ctx.writeHighWaterBytes ||
      this.inFlight >= this.ctx.maxInFlight
    );
  }

  /** An L2 continuation holds one in-flight slot until it settles; then the queue moves on. */
  private track(work: Promise<void>): void {
    this.inFlight++;
    void work.finally(() => {
      this.inFlight--;
      this.pump();
    });
  }

  /** A frame half-received while we are reading must complete within the frame timeout. */
  private armFrameTimer(): void {
    const waiting = !this.paused && this.decoder.bufferedBytes > 0;
    if (!waiting) {
      clearTimeout(this.frameTimer);
      this.frameTimer = undefined;
    } else if (this.frameTimer === undefined) {
      this.frameTimer = setTimeout(() => this.fail('frame-timeout'), this.ctx.frameTimeoutMs);
      this.frameTimer.unref();
    }
  }

  /** Gather-writes the reply's parts; the views stay pinned until the last part has drained. */
  private write(reply: BlockReply, views: readonly BlockView[]): void {
    if (this.ending || this.socket.destroyed) {
      for (const v of views) v.release();
      return;
    }
    const parts = encodeReply(reply, this.ctx.maxFrameBytes);
    for (const v of views) this.pinned.add(v);
    let bytes = 0;
    this.socket.cork();
    parts.forEach((part, i) => {
      bytes += part.length;
      if (i < parts.length - 1) this.socket.write(part);
      else
        this.socket.write(part, () => {
          for (const v of views) {
            v.release();
            this.pinned.delete(v);
          }
        });
    });
    this.socket.uncork();
    this.ctx.metrics.bytesOut.inc(bytes);
  }
}
