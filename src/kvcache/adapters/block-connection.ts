/**
 * One client connection of the block service: auth first, then requests served from the L1
 * store (and, for a local client's misses, from L2) with bounded memory.
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
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { linkedSignal, toError, type Logger } from '../../shared/index.js';
import {
  mergeFound,
  missingChain,
  serveFromStore,
  type BlockMissSource,
  type DataRequest,
  type ServedReply,
} from '../block-requests.js';
import type { BlockStore, BlockView } from '../block-store.js';
import { extendPrefix, prefixFromStore, type ServedPrefix } from '../block-prefix.js';
import { createRequestDecoder, type FrameDecoder } from '../block-wire-decoder.js';
import type { BlockReply, BlockRequest, WireErrorCode } from '../block-wire-format.js';
import { encodeReply } from '../block-wire.js';
import type { BlockServiceMetrics, CloseReason } from './block-service-metrics.js';

/** What every connection of one server shares. */
export interface ConnectionContext {
  readonly store: BlockStore;
  /** SHA-256 of the token; undefined: no auth asked (a loopback-only service). */
  readonly tokenDigest: Buffer | undefined;
  /** Mutable: kv.configure turns sharing on and off while connections live. */
  servePeers: boolean;
  readonly misses: BlockMissSource | undefined;
  readonly maxFrameBytes: number;
  readonly maxInFlight: number;
  readonly writeHighWaterBytes: number;
  readonly idleTimeoutMs: number;
  readonly frameTimeoutMs: number;
  readonly missTimeoutMs: number;
  readonly metrics: BlockServiceMetrics;
  readonly log: Logger;
}

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** The SHA-256 a server compares presented tokens against (constant time, any length). */
export function tokenDigest(token: string): Buffer | undefined {
  return token === '' ? undefined : digest(token);
}

/** One connection (see the file comment); `closed` settles when its socket is gone. */
export class BlockConnection {
  readonly closed: Promise<void>;
  private readonly decoder: FrameDecoder<BlockRequest>;
  private readonly queue: BlockRequest[] = [];
  private readonly pinned = new Set<BlockView>();
  private readonly stop = new AbortController();
  private authed = false;
  private peer = false;
  private inFlight = 0;
  private paused = false;
  private ending = false;
  private frameTimer: NodeJS.Timeout | undefined;
  private readonly socket: Socket;
  private readonly ctx: ConnectionContext;

  /** Whether a peer agent (not a local engine) authenticated on this connection. */
  get isPeer(): boolean {
    return this.peer;
  }

  constructor(socket: Socket, ctx: ConnectionContext) {
    this.socket = socket;
    this.ctx = ctx;
    this.decoder = createRequestDecoder({ maxFrameBytes: ctx.maxFrameBytes });
    this.authed = ctx.tokenDigest === undefined;
    socket.setNoDelay(true);
    socket.setTimeout(ctx.idleTimeoutMs, () => this.fail('idle-timeout'));
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('drain', () => this.pump());
    socket.on('error', () => this.fail('socket-error'));
    socket.on('end', () => this.fail('client'));
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.stop.abort();
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

  private received(chunk: Buffer): void {
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

  /** Works the queue while the bounds allow; pauses the socket otherwise (file comment). */
  private pump(): void {
    while (!this.ending && this.queue.length > 0 && !this.full()) {
      this.handle(this.queue.shift() as BlockRequest);
    }
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

  private handle(req: BlockRequest): void {
    if (req.op === 'auth') {
      this.authenticate(req);
      return;
    }
    if (!this.authed) {
      this.fail('unauthenticated', {
        code: 'unauthenticated',
        message: 'the first frame of a connection must be auth',
        id: req.id,
      });
      return;
    }
    if (req.op === 'get-prefix') {
      this.getPrefix(req);
      return;
    }
    let served: ServedReply;
    try {
      served = serveFromStore(this.ctx.store, req, this.ctx.maxFrameBytes);
    } catch (err) {
      this.ctx.log.error({ err: toError(err), op: req.op }, 'block request failed');
      this.ctx.metrics.op(req.op, 'error');
      this.write({ op: 'error', id: req.id, code: 'internal', message: 'internal error' }, []);
      return;
    }
    this.countTiers(served.reply);
    if (this.ctx.misses !== undefined && !this.peer && this.wantsL2(served.reply, req)) {
      this.inFlight++;
      void this.fromL2(req, served).finally(() => {
        this.inFlight--;
        this.pump();
      });
      return;
    }
    this.ctx.metrics.op(req.op, 'ok');
    this.write(served.reply, served.views);
  }

  private authenticate(req: Extract<BlockRequest, { op: 'auth' }>): void {
    const want = this.ctx.tokenDigest;
    if (this.authed && want !== undefined) {
      this.write(
        { op: 'error', id: req.id, code: 'malformed', message: 'already authenticated' },
        [],
      );
      return;
    }
    if (want !== undefined && !timingSafeEqual(digest(req.token), want)) {
      this.ctx.metrics.op('auth', 'error');
      this.fail('unauthenticated', { code: 'unauthenticated', message: 'wrong token', id: req.id });
      return;
    }
    if (req.peer && !this.ctx.servePeers) {
      this.ctx.metrics.op('auth', 'error');
      this.fail('unauthenticated', {
        code: 'unauthenticated',
        message: 'this node does not share its KV store with peers',
        id: req.id,
      });
      return;
    }
    this.authed = true;
    this.peer = req.peer;
    this.ctx.metrics.op('auth', 'ok');
    this.write({ op: 'auth', id: req.id }, []);
  }

  private wantsL2(reply: BlockReply, req: DataRequest): boolean {
    if (reply.op === 'get') return reply.blocks.some((b) => b.status === 'miss');
    return (
      reply.op === 'longest-prefix' && req.op === 'longest-prefix' && reply.held < req.keys.length
    );
  }

  /** L1 misses asked of L2; a failure there is a miss, never an error reply. */
  private async fromL2(req: DataRequest, served: ServedReply): Promise<void> {
    const { metrics } = this.ctx;
    const call = linkedSignal([this.stop.signal], this.ctx.missTimeoutMs);
    let reply = served.reply;
    try {
      const misses = this.ctx.misses as BlockMissSource;
      if (reply.op === 'get') {
        const chain = missingChain(reply.blocks);
        const found = await misses.fetch(chain, call.signal).catch(() => new Map());
        const merged = mergeFound(reply.blocks, found, this.ctx.maxFrameBytes);
        const missed = merged.blocks.filter((b) => b.status === 'miss').length;
        metrics.countLookups('l2', merged.filled, missed);
        reply = { ...reply, blocks: merged.blocks };
      } else if (reply.op === 'longest-prefix' && req.op === 'longest-prefix') {
        const more = await misses.prefix(req.keys.slice(reply.held), call.signal).catch(() => 0);
        reply = { ...reply, held: reply.held + more };
      }
    } finally {
      call.dispose();
    }
    metrics.op(req.op, 'ok');
    this.write(reply, served.views);
  }

  /**
   * The local run at once; past it, a local client that allows a wait asks L2 for the rest of
   * the chain within that wait (the engine's deadline), never longer.
   */
  private getPrefix(req: Extract<BlockRequest, { op: 'get-prefix' }>): void {
    const { metrics, store, maxFrameBytes } = this.ctx;
    let served: ServedPrefix;
    try {
      served = prefixFromStore(store, req.id, req.keys, maxFrameBytes);
    } catch (err) {
      this.ctx.log.error({ err: toError(err), op: req.op }, 'block request failed');
      metrics.op(req.op, 'error');
      this.write({ op: 'error', id: req.id, code: 'internal', message: 'internal error' }, []);
      return;
    }
    const run = served.reply.blocks.length;
    metrics.countLookups('l1', run, served.endedOnMiss ? req.keys.length - run : 0);
    if (this.peer) metrics.peerServed.inc(run);
    const misses = this.ctx.misses;
    if (!served.endedOnMiss || misses === undefined || this.peer || req.l2WaitMs === 0) {
      metrics.op(req.op, 'ok');
      this.write(served.reply, served.views);
      return;
    }
    this.inFlight++;
    const rest = req.keys.slice(run);
    const call = linkedSignal([this.stop.signal], Math.min(req.l2WaitMs, this.ctx.missTimeoutMs));
    void misses
      .fetch(rest, call.signal)
      .catch(() => new Map<number, Uint8Array>())
      .then((found) => {
        const more = extendPrefix(served.reply.blocks, rest, found, maxFrameBytes);
        metrics.countLookups('l2', more.added, rest.length - more.added);
        metrics.op(req.op, 'ok');
        this.write({ ...served.reply, blocks: more.blocks }, served.views);
      })
      .finally(() => {
        call.dispose();
        this.inFlight--;
        this.pump();
      });
  }

  private countTiers(reply: BlockReply): void {
    if (reply.op !== 'get') return;
    let hits = 0;
    let misses = 0;
    for (const b of reply.blocks) {
      if (b.status === 'hit') hits++;
      else if (b.status === 'miss') misses++;
    }
    this.ctx.metrics.countLookups('l1', hits, misses);
    if (this.peer) this.ctx.metrics.peerServed.inc(hits);
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
