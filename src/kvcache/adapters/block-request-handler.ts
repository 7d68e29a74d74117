/**
 * What a block connection answers each decoded request with: auth first, then replies served
 * from the L1 store and, for a local client's misses, continued from L2 (the agent's peers).
 *
 * The handler owns the connection's auth state and the L2 continuations; moving bytes
 * (the frame loop, backpressure, pinned writes) is the connection's (block-connection.ts), reached
 * through a ReplyChannel. An L2 continuation is handed to the channel's `track`, so it counts
 * against the connection's in-flight bound until it settles; a failure in L2 is a miss, never an
 * error reply.
 */
import { timingSafeEqual } from 'node:crypto';
import { linkedSignal, toError } from '../../shared/index.js';
import {
  mergeFound,
  missingChain,
  serveFromStore,
  type BlockMissSource,
  type DataRequest,
  type ServedReply,
} from '../block-requests.js';
import type { BlockView } from '../block-store.js';
import { prefixFromStore, type ServedPrefix } from '../block-prefix.js';
import { prefixWithPeers } from './prefix-with-peers.js';
import type { BlockReply, BlockRequest, WireErrorCode } from '../block-wire-format.js';
import { sha256, type ConnectionContext } from './block-connection-context.js';
import type { CloseReason } from './block-service-metrics.js';

/** What the handler needs from the connection it answers on. */
export interface ReplyChannel {
  /** Sends `reply`; the `views` stay pinned until it has drained (or the connection closed). */
  write(reply: BlockReply, views: readonly BlockView[]): void;
  /** Closes the connection, counted as `reason`; an error reply first when given. */
  fail(reason: CloseReason, reply?: { code: WireErrorCode; message: string; id?: number }): void;
  /** Counts `work` as an in-flight request until it settles, then works the queue again. */
  track(work: Promise<void>): void;
  /** Aborted when the connection is gone: pending L2 calls stop. */
  readonly closing: AbortSignal;
}

/** Answers one connection's requests (see the file comment). */
export class BlockRequestHandler {
  private authed: boolean;
  private peer = false;
  private readonly ctx: ConnectionContext;
  private readonly channel: ReplyChannel;

  constructor(ctx: ConnectionContext, channel: ReplyChannel) {
    this.ctx = ctx;
    this.channel = channel;
    this.authed = ctx.tokenDigest === undefined;
  }

  /** Whether requests are answered (auth done, or none asked). */
  get authenticated(): boolean {
    return this.authed;
  }

  /** Whether a peer agent (not a local engine) authenticated on this connection. */
  get isPeer(): boolean {
    return this.peer;
  }

  /** Answers `req` now, or starts its L2 continuation through the channel's `track`. */
  handle(req: BlockRequest): void {
    if (req.op === 'auth') {
      this.authenticate(req);
      return;
    }
    if (!this.authed) {
      this.channel.fail('unauthenticated', {
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
      this.internalError(req, err);
      return;
    }
    this.countTiers(served.reply);
    if (this.ctx.misses !== undefined && !this.peer && this.wantsL2(served.reply, req)) {
      this.channel.track(this.fromL2(req, served));
      return;
    }
    this.ctx.metrics.op(req.op, 'ok');
    this.channel.write(served.reply, served.views);
  }

  private authenticate(req: Extract<BlockRequest, { op: 'auth' }>): void {
    const want = this.ctx.tokenDigest;
    if (this.authed && want !== undefined) {
      this.channel.write(
        { op: 'error', id: req.id, code: 'malformed', message: 'already authenticated' },
        [],
      );
      return;
    }
    if (want !== undefined && !timingSafeEqual(sha256(req.token), want)) {
      this.ctx.metrics.op('auth', 'error');
      this.channel.fail('unauthenticated', {
        code: 'unauthenticated',
        message: 'wrong token',
        id: req.id,
      });
      return;
    }
    if (req.peer && !this.ctx.servePeers) {
      this.ctx.metrics.op('auth', 'error');
      this.channel.fail('unauthenticated', {
        code: 'unauthenticated',
        message: 'this node does not share its KV store with peers',
        id: req.id,
      });
      return;
    }
    this.authed = true;
    this.peer = req.peer;
    this.ctx.metrics.op('auth', 'ok');
    this.channel.write({ op: 'auth', id: req.id }, []);
  }

  private internalError(req: BlockRequest, err: unknown): void {
    this.ctx.log.error({ err: toError(err), op: req.op }, 'block request failed');
    this.ctx.metrics.op(req.op, 'error');
    this.channel.write(
      { op: 'error', id: req.id, code: 'internal', message: 'internal error' },
      [],
    );
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
    const call = linkedSignal([this.channel.closing], this.ctx.missTimeoutMs);
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
    this.channel.write(reply, served.views);
  }

  /**
   * The local run at once; past it, a local client that allows a wait has the run continued
   * over peers and this store (prefix-with-peers.ts) within that wait (the engine's deadline).
   */
  private getPrefix(req: Extract<BlockRequest, { op: 'get-prefix' }>): void {
    const { metrics, store, maxFrameBytes } = this.ctx;
    const startedMs = performance.now();
    const took = (tier: 'l1' | 'l2'): void => {
      if (!this.peer)
        metrics.getPrefixSeconds.observe({ tier }, (performance.now() - startedMs) / 1000);
    };
    let served: ServedPrefix;
    try {
      served = prefixFromStore(store, req.id, req.keys, maxFrameBytes);
    } catch (err) {
      this.internalError(req, err);
      return;
    }
    const run = served.reply.blocks.length;
    metrics.countLookups('l1', run, served.endedOnMiss ? req.keys.length - run : 0);
    if (this.peer) metrics.peerServed.inc(run);
    const misses = this.ctx.misses;
    if (!served.endedOnMiss || misses === undefined || this.peer || req.l2WaitMs === 0) {
      metrics.op(req.op, 'ok');
      took('l1');
      this.channel.write(served.reply, served.views);
      return;
    }
    const waitMs = Math.min(req.l2WaitMs, this.ctx.missTimeoutMs);
    const call = linkedSignal([this.channel.closing], waitMs);
    const continuation = prefixWithPeers(req.keys, served, {
      store,
      misses,
      maxFrameBytes,
      signal: call.signal,
      count: (tier, hits, missed) => metrics.countLookups(tier, hits, missed),
    })
      .then(({ blocks, views }) => {
        metrics.op(req.op, 'ok');
        took('l2');
        this.channel.write({ ...served.reply, blocks }, views);
      })
      .finally(() => call.dispose());
    this.channel.track(continuation);
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
}
