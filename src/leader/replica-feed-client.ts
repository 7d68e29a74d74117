/**
 * A follower's connection to the leader's replica feed: tries the candidate leader URLs in order
 * (the current leader's, from the election or the configured list), applies the welcome and the
 * deltas it is sent, and reconnects with jittered backoff after a close, a seq gap or an invalid
 * message (each reconnect is a fresh snapshot, so nothing is lost). Sends this replica's own
 * prefix-index insertions to the leader, batched per tick and bounded. Remembers when each
 * candidate last answered at all (a 503 from a follower still counts), when a leader last fed it
 * and the highest epoch it saw, which the static standby election reads (standby-decision.ts).
 */
import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  REPLICA_LIMITS,
  decodeReplicaFeedMessage,
  decodeReplicaKvFrame,
  type PrefixInsertion,
} from '../protocol/index.js';
import {
  backoffDelayMs,
  sleep,
  type BackoffPolicy,
  type Clock,
  type Logger,
  type Rng,
} from '../shared/index.js';
import { ReplicaFeedApplier, type ReplicaSinks } from './replica-feed-applier.js';
import type { ReplicaFeedMetrics } from './replica-feed-metrics.js';

export interface ReplicaFeedClientOptions {
  /** Candidate leader control URLs (http(s)://host:port), tried in order on each round. */
  readonly candidates: () => readonly string[];
  /** The control token sent as bearer; empty: none. */
  readonly token: string;
  readonly identity: string;
  readonly sinks: ReplicaSinks;
  readonly log: Logger;
  readonly metrics: ReplicaFeedMetrics;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly reconnect: BackoffPolicy;
  /**
   * Refuses a welcome whose leader this process's election does not see leading (a Service can
   * route to the old leader's pod for a moment while the role label moves). Default: accept.
   */
  readonly acceptLeader?: (leader: string, epoch: number) => boolean;
  /** Extra ws client options (the CA that verifies the leader's control certificate). */
  readonly tls?: WebSocket.ClientOptions;
  /** Connect + handshake timeout, ms. Default 3000. */
  readonly handshakeTimeoutMs?: number;
}

type SessionEnd = 'fed' | 'alive' | 'unreachable';

/** The follower's feed; run it while this process does not lead. */
export class ReplicaFeedClient {
  readonly name = 'replica-feed-client';
  readonly #options: ReplicaFeedClientOptions;
  #ws: WebSocket | undefined;
  #welcomed = false;
  readonly #answeredMs = new Map<string, number>();
  #lastFedMs: number | undefined;
  #highestEpoch = 0;
  #rounds = 0;
  #pending: PrefixInsertion[] = [];
  #flushQueued = false;

  constructor(options: ReplicaFeedClientOptions) {
    this.#options = options;
  }

  /** True while a leader's feed is applied (the welcome came, the socket is open). */
  get fed(): boolean {
    return this.#welcomed && this.#ws?.readyState === WebSocket.OPEN;
  }

  /** When a leader last fed this process (now while fed); undefined: never. */
  get lastFedMs(): number | undefined {
    return this.fed ? this.#options.clock.now() : this.#lastFedMs;
  }

  /** When `url` last answered (fed us, or said it does not lead); undefined: never. */
  lastAnswerMs(url: string): number | undefined {
    return this.#answeredMs.get(url);
  }

  /** The highest epoch a leader's welcome carried; 0: none yet. */
  get highestEpoch(): number {
    return this.#highestEpoch;
  }

  /** Full rounds over the candidates that ended without being fed. */
  get rounds(): number {
    return this.#rounds;
  }

  /** Queues this replica's insertion for the leader; dropped while not fed (the index heals). */
  sendPrefix(insertion: PrefixInsertion): void {
    if (!this.fed || this.#pending.length >= REPLICA_LIMITS.insertions) return;
    this.#pending.push(insertion);
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    setImmediate(() => {
      this.#flushQueued = false;
      const insertions = this.#pending;
      this.#pending = [];
      if (insertions.length > 0 && this.fed)
        this.#ws?.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'replica.prefix', insertions }));
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      let fed = false;
      for (const url of this.#options.candidates()) {
        const end = await this.#session(url, signal);
        if (end !== 'unreachable') this.#answeredMs.set(url, this.#options.clock.now());
        if (end === 'fed') {
          fed = true;
          break;
        }
      }
      if (!fed) this.#rounds++;
      attempt = fed ? 0 : attempt + 1;
      await sleep(
        backoffDelayMs(this.#options.reconnect, attempt, this.#options.rng),
        signal,
      ).catch(() => undefined);
    }
  }

  /** One connection until it closes. */
  #session(controlUrl: string, signal: AbortSignal): Promise<SessionEnd> {
    const { log, metrics } = this.#options;
    const url = `${controlUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/v1/replicas`;
    // An abort between two candidates: its listener would never fire on a new socket.
    if (signal.aborted) return Promise.resolve('unreachable');
    return new Promise((resolve) => {
      let end: SessionEnd = 'unreachable';
      let refused = false;
      const applier = new ReplicaFeedApplier(this.#options.sinks);
      const ws = new WebSocket(url, {
        headers:
          this.#options.token === '' ? {} : { authorization: `Bearer ${this.#options.token}` },
        handshakeTimeout: this.#options.handshakeTimeoutMs ?? 3000,
        maxPayload: 256 * 1024 * 1024, // a welcome holds every node of a large cluster
        ...this.#options.tls,
      });
      this.#ws = ws;
      const onAbort = (): void => ws.close(1001, 'replica stopping');
      signal.addEventListener('abort', onAbort, { once: true });
      ws.on('open', () =>
        ws.send(
          JSON.stringify({
            v: PROTOCOL_VERSION,
            type: 'replica.hello',
            identity: this.#options.identity,
            kvBinary: true,
          }),
        ),
      );
      ws.on('message', (raw: Buffer, isBinary: boolean) => {
        if (refused) return;
        // Binary: an agent's KV frame relayed as it came (this follower said it reads them).
        const decoded = isBinary ? decodeReplicaKvFrame(raw) : decodeReplicaFeedMessage(raw);
        if (decoded.ok && decoded.message.type === 'replica.welcome') {
          const { leader, epoch } = decoded.message;
          if (this.#options.acceptLeader?.(leader, epoch) === false) {
            // Not applied: its state may be an old leader's last view.
            metrics.resyncs.inc({ reason: 'not-leader' });
            log.warn({ leader, epoch, url }, 'replica feed from a process not leading: ignored');
            end = 'alive';
            refused = true;
            ws.close(4409, 'not the leader');
            return;
          }
          this.#highestEpoch = Math.max(this.#highestEpoch, epoch);
        }
        const outcome = decoded.ok ? applier.apply(decoded.message) : 'invalid';
        if (outcome === 'applied') {
          if (decoded.ok) metrics.applied.inc({ type: decoded.message.type });
          if (!this.#welcomed && applier.leader !== undefined) {
            this.#welcomed = true;
            end = 'fed';
            metrics.connected.set(1);
            log.info(applier.leader, 'following the leader’s routing state');
          }
          return;
        }
        if (outcome === 'invalid') metrics.invalid.inc();
        metrics.resyncs.inc({ reason: outcome });
        log.warn(
          { outcome, reason: decoded.ok ? undefined : decoded.reason },
          'replica feed out of step: reconnecting for a fresh snapshot',
        );
        ws.close(4400, outcome);
      });
      ws.on('unexpected-response', (_req, res) => {
        // A replica that answers but does not lead is alive: no takeover while it is.
        if (res.statusCode === 503) end = 'alive';
        else log.warn({ status: res.statusCode, url }, 'replica feed refused');
        ws.terminate();
      });
      ws.on('error', (err) => log.debug({ err: err.message, url }, 'replica feed error'));
      ws.on('close', () => {
        signal.removeEventListener('abort', onAbort);
        if (this.#ws === ws) {
          if (this.#welcomed) this.#lastFedMs = this.#options.clock.now();
          this.#ws = undefined;
          this.#welcomed = false;
          metrics.connected.set(0);
        }
        resolve(end);
      });
    });
  }
}
