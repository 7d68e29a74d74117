/**
 * The agent's side of L2 lookups (issue #14): asks the leader's global index which peers hold a
 * chain of blocks (`kv.lookup`) and matches the answers (`kv.lookup.result`) by id. It is a
 * KvChannel on the leader connection: while disconnected a lookup fails at once (the engine
 * recomputes rather than wait for a reconnect), pending lookups fail when the socket closes, and
 * both their number and their wait are bounded.
 */
import { AppError, linkedSignal } from '../shared/index.js';
import {
  KV_MESSAGE_LIMITS,
  type KvBlockHash,
  type KvHolder,
  type KvLookupResultMessage,
  type KvResyncMessage,
} from '../protocol/index.js';
import type { KvChannel, KvSend } from './kv-channel.js';

/** Bounds of the lookup client. */
export interface KvLookupClientOptions {
  /** How long the leader may take to answer, ms. */
  readonly timeoutMs: number;
  /** Lookups awaiting an answer at once; more fail at once. Default 256. */
  readonly maxPending?: number;
}

interface Pending {
  readonly resolve: (holders: readonly KvHolder[]) => void;
  readonly reject: (err: AppError) => void;
}

/** Asks the leader who holds a chain (see the file comment). */
export class KvLookupClient implements KvChannel {
  private send: KvSend | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly options: KvLookupClientOptions;
  private nextId = 1;

  constructor(options: KvLookupClientOptions) {
    this.options = options;
  }

  /** Lookups awaiting the leader's answer. */
  get pendingLookups(): number {
    return this.pending.size;
  }

  /**
   * The peers holding the leading blocks of `chain` (truncated to the lookup bound), best
   * first. Rejects with KV_LOOKUP_FAILED (disconnected, too many pending, timeout) or KV_ABORTED.
   */
  async lookup(chain: readonly KvBlockHash[], signal?: AbortSignal): Promise<readonly KvHolder[]> {
    const send = this.send;
    if (send === undefined)
      throw new AppError('KV_LOOKUP_FAILED', 'not connected to a leader: no L2 lookup');
    const maxPending = this.options.maxPending ?? 256;
    if (this.pending.size >= maxPending)
      throw new AppError('KV_LOOKUP_FAILED', `${maxPending} L2 lookups already pending`);
    const id = `l${this.nextId++}`;
    const hashes = chain.slice(0, KV_MESSAGE_LIMITS.hashesPerLookup);
    const link = linkedSignal([signal], this.options.timeoutMs);
    try {
      return await new Promise<readonly KvHolder[]>((resolve, reject) => {
        const onAbort = (): void => {
          this.pending.delete(id);
          reject(
            link.timedOut
              ? new AppError(
                  'KV_LOOKUP_FAILED',
                  `the leader did not answer an L2 lookup within ${this.options.timeoutMs} ms`,
                )
              : new AppError('KV_ABORTED', 'the L2 lookup was aborted'),
          );
        };
        if (link.signal.aborted) return onAbort();
        link.signal.addEventListener('abort', onAbort, { once: true });
        const settle = (): void => link.signal.removeEventListener('abort', onAbort);
        this.pending.set(id, {
          resolve: (holders) => {
            settle();
            resolve(holders);
          },
          reject: (err) => {
            settle();
            reject(err);
          },
        });
        if (!send({ v: 1, type: 'kv.lookup', id, hashes })) {
          this.pending.delete(id);
          settle();
          reject(
            new AppError('KV_LOOKUP_FAILED', 'the leader connection is down or not keeping up'),
          );
        }
      });
    } finally {
      link.dispose();
    }
  }

  /** KvChannel: a leader welcomed us; lookups can be sent. */
  welcomed(send: KvSend): void {
    this.send = send;
  }

  /** KvChannel: a lookup's answer (resyncs are the reporter's). */
  received(message: KvResyncMessage | KvLookupResultMessage): void {
    if (message.type !== 'kv.lookup.result') return;
    const waiter = this.pending.get(message.id);
    if (waiter === undefined) return; // timed out or aborted meanwhile
    this.pending.delete(message.id);
    waiter.resolve(message.holders);
  }

  /** KvChannel: the socket closed; every pending lookup fails now. */
  disconnected(): void {
    this.send = undefined;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    const err = new AppError(
      'KV_LOOKUP_FAILED',
      'the leader connection closed during an L2 lookup',
    );
    for (const w of waiting) w.reject(err);
  }
}
