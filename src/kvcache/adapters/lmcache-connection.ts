/**
 * One LMCache client connection: reads 186-byte headers (and PUT payloads) off the socket,
 * serves them from the LmcacheStore, writes replies. Requests are handled one at a time, in
 * order, as LMCache's client sends them. A PUT's payload is read straight into the store slot
 * it will live in (`readInto`, as the native service reads; a header is read on its own so the
 * next read starts at the payload); bytes that land anywhere else are queued as a copy.
 *
 * Bounds: a PUT whose header announces more than `maxFrameBytes` closes the connection before a
 * byte of it is buffered; a PUT that fits the frame limit but not the store's largest block is
 * read through and dropped (LMCache expects no reply, and the stream stays in step). While a
 * reply waits for the socket to drain, reading pauses, so a client that pipelines GETs and
 * never reads holds at most one socket chunk and one pinned block. A frame that stalls half-way
 * (or a reply the client does not read) for `stallTimeoutMs` closes the connection. Bad input
 * closes this connection only, counted by reason.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../../shared/index.js';
import type { LmcacheRecordDraft, LmcacheStore } from '../lmcache-store.js';
import {
  decodeClientHeader,
  encodeServerHeader,
  LMCACHE_CLIENT_HEADER_BYTES,
  LMCACHE_EMPTY_META,
  LMCACHE_FAIL,
  LMCACHE_SUCCESS,
  type LmcacheClientHeader,
} from '../lmcache-wire.js';
import { readInto } from './accepted-socket-reads.js';
import { LmcacheInbox } from './lmcache-inbox.js';
import type { LmcacheCloseReason, LmcacheMetrics } from './lmcache-metrics.js';

/** Socket errors end in 'close', where the connection cleans up; nothing else to do. */
export function ignoreSocketError(): void {
  return;
}

/** What a connection needs from its listener. */
export interface LmcacheConnectionDeps {
  readonly store: LmcacheStore;
  readonly maxFrameBytes: number;
  readonly stallTimeoutMs: number;
  /** 0: an idle connection (no frame in progress) stays open. */
  readonly idleTimeoutMs: number;
  readonly metrics: LmcacheMetrics;
  readonly logger: Logger;
}

type ReadState =
  | { readonly kind: 'header' }
  | {
      readonly kind: 'payload';
      readonly header: LmcacheClientHeader;
      /** Undefined: too large for the store; its payload, like a draft's without one, is dropped. */
      readonly draft: LmcacheRecordDraft | undefined;
      received: number;
    };

/** Serves one socket until it closes (see the file comment). */
export class LmcacheConnection {
  private readonly inbox = new LmcacheInbox();
  private state: ReadState = { kind: 'header' };
  private waitingDrain = false;
  private closed = false;
  /** Pinned blocks being written; released when written or when the socket closes. */
  private readonly pinned = new Set<() => void>();

  private readonly socket: Socket;
  private readonly deps: LmcacheConnectionDeps;

  constructor(socket: Socket, deps: LmcacheConnectionDeps) {
    this.socket = socket;
    this.deps = deps;
    socket.setNoDelay(true);
    const reads = {
      target: () => this.readTarget(),
      received: (n: number, buffer: Uint8Array) => this.received(n, buffer),
    };
    if (!readInto(socket, reads))
      socket.on('data', (chunk: Buffer) => {
        this.inbox.push(chunk);
        this.pump();
      });
    socket.on('timeout', () => {
      if (this.midFrame()) this.fault('stalled', 'frame or reply stalled');
      else socket.destroy();
    });
    // A reset peer is not ours to report; 'close' follows.
    socket.on('error', ignoreSocketError);
    socket.on('close', () => {
      this.closed = true;
      if (this.state.kind === 'payload') this.state.draft?.abort();
      for (const release of this.pinned) release();
      this.pinned.clear();
    });
    this.armTimeout();
  }

  /** The unfilled rest of the PUT payload's store slot, when one is being received. */
  private slotRest(): Uint8Array | undefined {
    const state = this.state;
    if (state.kind !== 'payload') return undefined;
    return state.draft?.payload?.subarray(state.received);
  }

  private readTarget(): Uint8Array {
    const state = this.state;
    const queued = this.inbox.buffered;
    const wanted =
      state.kind === 'header'
        ? LMCACHE_CLIENT_HEADER_BYTES - queued
        : state.header.length - state.received - queued;
    return this.inbox.readTarget(this.slotRest(), wanted);
  }

  /** Payload bytes land in place in their slot, or are dropped for a payload not kept. */
  private received(n: number, buffer: Uint8Array): void {
    const state = this.state;
    if (state.kind === 'payload') {
      const left = state.header.length - state.received;
      const slot = state.draft?.payload === undefined ? undefined : this.slotRest();
      state.received += this.inbox.landed(n, buffer, left, slot);
    } else this.inbox.landed(n, buffer, 0, undefined);
    this.pump();
  }

  private midFrame(): boolean {
    return this.inbox.buffered > 0 || this.state.kind === 'payload' || this.waitingDrain;
  }

  private armTimeout(): void {
    this.socket.setTimeout(this.midFrame() ? this.deps.stallTimeoutMs : this.deps.idleTimeoutMs);
  }

  private pump(): void {
    while (!this.closed && !this.waitingDrain) {
      if (this.state.kind === 'header') {
        if (this.inbox.buffered < LMCACHE_CLIENT_HEADER_BYTES) break;
        if (!this.onHeader(this.inbox.take(LMCACHE_CLIENT_HEADER_BYTES))) return;
      } else if (!this.onPayload(this.state)) break;
    }
    if (!this.closed) this.armTimeout();
  }

  /** Handles one header; false when the connection was closed for it. */
  private onHeader(bytes: Buffer): boolean {
    const decoded = decodeClientHeader(bytes);
    if (!decoded.ok) {
      this.fault(decoded.fault, decoded.message);
      return false;
    }
    const header = decoded.header;
    const { store, metrics } = this.deps;
    switch (header.command) {
      case 'put':
        if (header.length > this.deps.maxFrameBytes) {
          this.fault('too-large', `PUT of ${header.length} bytes over ${this.deps.maxFrameBytes}`);
          return false;
        }
        this.state = {
          kind: 'payload',
          header,
          draft: store.draft(header.key, header, header.length),
          received: 0,
        };
        return true;
      case 'get': {
        const value = store.get(header.key);
        if (value === undefined) {
          metrics.requests.inc({ command: 'get', result: 'miss' });
          this.write(encodeServerHeader({ code: LMCACHE_FAIL, length: 0, ...LMCACHE_EMPTY_META }));
          return true;
        }
        metrics.requests.inc({ command: 'get', result: 'ok' });
        metrics.bytes.inc({ direction: 'out' }, value.payload.length);
        const { fmt, dtype, location, shape } = value.meta;
        const head = { code: LMCACHE_SUCCESS, length: value.payload.length };
        this.socket.write(encodeServerHeader({ ...head, fmt, dtype, location, shape }));
        const release = (): void => {
          value.release();
          this.pinned.delete(release);
        };
        this.pinned.add(release);
        this.write(value.payload, release);
        return true;
      }
      case 'exist': {
        const held = store.exists(header.key);
        metrics.requests.inc({ command: 'exist', result: held ? 'ok' : 'miss' });
        const code = held ? LMCACHE_SUCCESS : LMCACHE_FAIL;
        this.write(encodeServerHeader({ code, length: 0, ...LMCACHE_EMPTY_META }));
        return true;
      }
      case 'health':
        metrics.requests.inc({ command: 'health', result: 'ok' });
        this.write(encodeServerHeader({ code: LMCACHE_SUCCESS, length: 0, ...LMCACHE_EMPTY_META }));
        return true;
      case 'list':
        // The reference server leaves LIST unimplemented (and silent, which hangs a client);
        // answering FAIL keeps the client going.
        metrics.requests.inc({ command: 'list', result: 'miss' });
        this.write(encodeServerHeader({ code: LMCACHE_FAIL, length: 0, ...LMCACHE_EMPTY_META }));
        return true;
    }
  }

  /** Moves buffered payload bytes into the draft; false when more must arrive first. */
  private onPayload(state: Extract<ReadState, { kind: 'payload' }>): boolean {
    const want = state.header.length - state.received;
    if (want > 0 && this.inbox.buffered === 0) return false;
    const n = Math.min(want, this.inbox.buffered);
    if (n > 0) this.inbox.copyInto(state.draft?.payload, state.received, n);
    state.received += n;
    if (state.received < state.header.length) return false;
    this.state = { kind: 'header' };
    const { metrics } = this.deps;
    metrics.bytes.inc({ direction: 'in' }, state.header.length);
    if (state.draft === undefined) {
      metrics.requests.inc({ command: 'put', result: 'dropped' });
      return true;
    }
    let stored = false;
    try {
      stored = state.draft.commit() !== 'no-room';
    } catch (error) {
      this.deps.logger.debug({ err: error, key: state.header.key }, 'LMCache PUT not stored');
    }
    metrics.requests.inc({ command: 'put', result: stored ? 'ok' : 'dropped' });
    return true;
  }

  private write(bytes: Uint8Array, done?: () => void): void {
    const ok = this.socket.write(bytes, done === undefined ? undefined : () => done());
    if (ok) return;
    this.waitingDrain = true;
    this.socket.pause();
    this.socket.once('drain', () => {
      this.waitingDrain = false;
      this.socket.resume();
      this.pump();
    });
  }

  private fault(reason: LmcacheCloseReason, message: string): void {
    this.deps.metrics.closed.inc({ reason });
    this.deps.logger.warn(
      { reason, peer: this.socket.remoteAddress },
      `LMCache connection closed: ${message}`,
    );
    this.closed = true;
    if (this.state.kind === 'payload') this.state.draft?.abort();
    this.inbox.clear();
    this.socket.destroy();
  }
}
