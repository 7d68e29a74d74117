/**
 * One client socket to a block service: auth is written first and requests are pipelined right
 * behind it (the server answers in order of need, matched by request id). Every call has its own
 * timeout and AbortSignal; when the socket closes — the peer died mid-transfer, refused the
 * token, sent something undecodable — every pending call fails at once with a clear AppError.
 */
import { connect, type Socket } from 'node:net';
import { AppError, toError, type ErrorCode } from '../../shared/index.js';
import { createReplyDecoder, type MessageDecoder } from '../block-wire-decoder.js';
import type { BlockReply, BlockRequest } from '../block-wire-format.js';
import { encodeRequest } from '../block-wire.js';
import type { ReceivePool } from '../receive-pool.js';
import type { IkvAddress } from './ikv-url.js';

/** A request without its id (the connection numbers them). */
export type BlockCall = BlockRequest extends infer R
  ? R extends { readonly op: 'auth' }
    ? never
    : R extends BlockRequest
      ? Omit<R, 'id'>
      : never
  : never;

/** How one connection is opened. */
export interface ClientConnectionOptions {
  readonly address: IkvAddress;
  readonly token: string;
  /** Present as a peer agent (served from the peer's L1 only). */
  readonly peer: boolean;
  readonly maxFrameBytes: number;
  readonly connectTimeoutMs: number;
  /** Where reply bodies are received (the client's pool). */
  readonly memory: ReceivePool;
}

interface Pending {
  readonly resolve: (reply: BlockReply) => void;
  readonly reject: (err: AppError) => void;
}

/** One pipelined connection (see the file comment). */
export class ClientConnection {
  private readonly socket: Socket;
  private readonly decoder: MessageDecoder<BlockReply>;
  private readonly pending = new Map<number, Pending>();
  private readonly options: ClientConnectionOptions;
  private nextId = 1;
  private failure: AppError | undefined;
  private connectTimer: NodeJS.Timeout | undefined;

  constructor(options: ClientConnectionOptions) {
    this.options = options;
    this.decoder = createReplyDecoder({ maxFrameBytes: options.maxFrameBytes }, options.memory);
    const { host, port } = options.address;
    // Each read lands where the decoder wants it: inside a reply body, straight in the pooled
    // segment the block stays in (no copy); between bodies, in the decoder's scratch.
    this.socket = connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: () => this.decoder.readTarget(),
        callback: (n, buf) => {
          this.received(buf.subarray(0, n));
          return true;
        },
      },
    });
    this.connectTimer = setTimeout(
      () =>
        this.destroy(
          new AppError(
            'KV_PEER_UNAVAILABLE',
            `block service ${host}:${port} did not accept a connection within ${options.connectTimeoutMs} ms`,
          ),
        ),
      options.connectTimeoutMs,
    );
    this.connectTimer.unref();
    this.socket.once('connect', () => clearTimeout(this.connectTimer));
    this.socket.on('error', (err) =>
      this.destroy(
        new AppError('KV_PEER_UNAVAILABLE', `block service ${host}:${port}: ${err.message}`, {
          cause: err,
        }),
      ),
    );
    this.socket.on('close', () =>
      this.destroy(
        new AppError('KV_PEER_UNAVAILABLE', `block service ${host}:${port} closed the connection`),
      ),
    );
    this.send({ op: 'auth', id: this.takeId(), token: options.token, peer: options.peer });
  }

  /** Calls awaiting their reply. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  /** False once the socket is gone (the pool opens a new one). */
  get usable(): boolean {
    return this.failure === undefined;
  }

  /**
   * Sends `call` and resolves with its reply (an `error` reply rejects with KV_PEER_REFUSED).
   * Its timeout is a plain timer and `signal` is listened to directly: no AbortController per
   * call (with the URL parse the pools no longer repeat, that was a fifth of a single-block
   * put's JavaScript in the client).
   */
  call(call: BlockCall, timeoutMs: number, signal?: AbortSignal): Promise<BlockReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const { host, port } = this.options.address;
    if (signal?.aborted === true)
      return Promise.reject(
        new AppError('KV_ABORTED', `${call.op} to ${host}:${port} was aborted`),
      );
    const id = this.takeId();
    return new Promise<BlockReply>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (err: AppError): void => {
        if (!this.pending.delete(id)) return;
        done();
        reject(err);
      };
      const timer = setTimeout(
        () =>
          fail(
            new AppError(
              'KV_PEER_TIMEOUT',
              `block service ${host}:${port} did not answer ${call.op} within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      timer.unref();
      const onAbort = (): void =>
        fail(new AppError('KV_ABORTED', `${call.op} to ${host}:${port} was aborted`));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (reply) => {
          done();
          resolve(reply);
        },
        reject: (err) => {
          done();
          reject(err);
        },
      });
      // Throws KV_FRAME_TOO_LARGE before anything is written; the caller splits batches.
      try {
        this.send({ ...call, id });
      } catch (err) {
        this.pending.delete(id);
        done();
        reject(toError(err));
      }
    });
  }

  /** Closes the socket; pending calls fail with KV_PEER_UNAVAILABLE. */
  close(): void {
    this.destroy(new AppError('KV_PEER_UNAVAILABLE', 'the block client was closed'));
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    return id;
  }

  private send(req: BlockRequest): void {
    const parts = encodeRequest(req, this.options.maxFrameBytes);
    this.socket.cork();
    for (const part of parts) this.socket.write(part);
    this.socket.uncork();
  }

  private received(chunk: Uint8Array): void {
    const res = this.decoder.push(chunk);
    for (const reply of res.messages) this.settle(reply);
    if (!res.ok)
      this.destroy(
        new AppError('KV_PEER_PROTOCOL', `undecodable reply from the block service: ${res.reason}`),
      );
  }

  private settle(reply: BlockReply): void {
    if (reply.op === 'auth') return;
    const waiter = this.pending.get(reply.id);
    if (reply.op === 'error') {
      const code: ErrorCode = 'KV_PEER_REFUSED';
      const err = new AppError(code, `block service refused: ${reply.code}: ${reply.message}`, {
        detail: { wireCode: reply.code },
      });
      if (waiter !== undefined) {
        this.pending.delete(reply.id);
        waiter.reject(err);
      }
      // Refusals the server closes after (a wrong token, a full server) fail everything pending.
      if (waiter === undefined || reply.code === 'unauthenticated') this.destroy(err);
      return;
    }
    // A late reply to a call that timed out or was aborted: nothing waits for it.
    if (waiter === undefined) return;
    this.pending.delete(reply.id);
    waiter.resolve(reply);
  }

  private destroy(reason: AppError): void {
    clearTimeout(this.connectTimer);
    this.failure ??= reason;
    this.socket.destroy();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const w of waiting) w.reject(this.failure);
  }
}
