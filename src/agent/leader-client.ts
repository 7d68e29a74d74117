/**
 * The agent's side of the protocol: connects to the leader's hub with its bearer credential
 * (fetched anew for every connection: a projected ServiceAccount token rotates), verifies the
 * leader's certificate on wss:// (CA or pinned fingerprint, see leader-tls.ts), sends a
 * full `hello`, then a seq-numbered `state` delta whenever something changed (no more often than
 * the leader's `pace` asks, while it asks: pace-messages.ts); answers `resync` with a fresh
 * `hello`; sends `kv` batches as binary frames when the welcome lists `kv-binary` (kv-binary.ts),
 * as JSON otherwise; reconnects with jittered backoff, forever, while the rest of the agent
 * keeps working. A slow leader (send buffer over its high-water mark) is disconnected rather
 * than buffered without bound.
 */
import WebSocket from 'ws';
import {
  KV_BINARY_FEATURE,
  PACE_FEATURE,
  PACE_LIMITS,
  PROTOCOL_VERSION,
  decodeLeaderMessage,
  encodeKvBinary,
  type AgentMessage,
  type EngineReport,
  type GpuHealthSummary,
  type NodeSnapshot,
} from '../protocol/index.js';
import {
  backoffDelayMs,
  linkedSignal,
  sleep,
  systemClock,
  toError,
  type Clock,
  type Logger,
  type Rng,
} from '../shared/index.js';
import type { AgentMetrics } from './agent-metrics.js';
import { isCommandMessage, type CommandChannel } from './command-channel.js';
import type { KvChannel } from './kv-channel.js';
import { leaderTlsOptions, type LeaderTrust } from './leader-tls.js';
import { PacedReports } from './paced-reports.js';

export interface LeaderClientOptions {
  readonly url: string;
  /**
   * More hub URLs (gateway replicas, issue #18), tried in turn after `url` when a connection
   * fails: a follower refuses agents, so the agent settles on the replica that leads.
   */
  readonly standbyUrls?: readonly string[];
  /** The bearer credential for one connection attempt (a token, or a token file read anew). */
  readonly credential: (signal: AbortSignal) => Promise<string>;
  /** How the leader's certificate is checked on wss://. Default: the system CAs. */
  readonly trust?: LeaderTrust;
  readonly node: string;
  readonly agentVersion: string;
  readonly log: Logger;
  readonly metrics: AgentMetrics;
  readonly rng: Rng;
  readonly reconnect: { readonly initialMs: number; readonly maxMs: number };
  /** Disconnect when this many bytes wait to be sent. Default 8 MiB. */
  readonly highWaterBytes?: number;
  /** Connect + handshake timeout. Default 5000 ms. */
  readonly handshakeTimeoutMs?: number;
  /** Where the leader's commands go (the command executor); absent, commands are ignored. */
  readonly commands?: CommandChannel;
  /** Where the KV messages go (the KV reporter and L2 lookups); absent, they are ignored. */
  readonly kv?: KvChannel;
  /** Times the leader's pace. Default the system clock. */
  readonly clock?: Clock;
  /** Offer binary `kv` frames in the hello (used when the welcome accepts them). Default true. */
  readonly kvBinary?: boolean;
}

export class LeaderClient {
  readonly name = 'leader-client';
  readonly #options: LeaderClientOptions;
  #ws: WebSocket | undefined;
  #seq = 0;
  #engines = new Map<string, string>();
  #snapshot: { engines: EngineReport[]; gpus: GpuHealthSummary[] } = { engines: [], gpus: [] };
  #leader: { leader: string; epoch: number } | undefined;
  /** This connection's welcome accepted binary `kv` frames. */
  #kvBinary = false;
  readonly #paced: PacedReports;

  constructor(options: LeaderClientOptions) {
    this.#options = options;
    this.#paced = new PacedReports(options.clock ?? systemClock, (r) => this.#sendEngines(r));
  }

  /** The leader this agent last heard from, and its epoch. */
  get leader(): { leader: string; epoch: number } | undefined {
    return this.#leader;
  }

  get connected(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /**
   * New engine reports: sends a delta of the engines whose report changed, or, within the
   * leader's pace, holds the latest reports until the pace allows (a report replaced meanwhile is
   * never sent: only the newest matters).
   */
  updateEngines(reports: readonly EngineReport[]): void {
    this.#snapshot = { ...this.#snapshot, engines: [...reports] };
    this.#paced.offer(reports);
  }

  /** Sends a delta of the engines whose report changed; true when one went out. */
  #sendEngines(reports: readonly EngineReport[]): boolean {
    const changed: EngineReport[] = [];
    const seen = new Set<string>();
    for (const r of reports) {
      seen.add(r.id);
      const text = JSON.stringify(r);
      if (this.#engines.get(r.id) !== text) changed.push(r);
    }
    const removed = [...this.#engines.keys()].filter((id) => !seen.has(id));
    if (changed.length === 0 && removed.length === 0) return false;
    if (!this.#sendDelta({ engines: changed, removedEngines: removed })) return false;
    for (const r of changed) this.#engines.set(r.id, JSON.stringify(r));
    for (const id of removed) this.#engines.delete(id);
    return true;
  }

  /** New GPU health: sent at once, flagged urgent (a failed GPU must stop routing now). */
  updateGpus(gpus: readonly GpuHealthSummary[], urgent: boolean): void {
    this.#snapshot = { ...this.#snapshot, gpus: [...gpus] };
    this.#sendDelta({ gpus, urgent });
  }

  async run(signal: AbortSignal): Promise<void> {
    const urls = [this.#options.url, ...(this.#options.standbyUrls ?? [])];
    let attempt = 0;
    let at = 0;
    for (;;) {
      if (signal.aborted) return;
      const healthy = await this.#session(signal, urls[at] ?? this.#options.url);
      // A session that got a welcome reconnects to the same URL first; a failed one tries the
      // next, backing off only once every URL has failed in a row.
      if (healthy) attempt = 0;
      else at = (at + 1) % urls.length;
      if (!healthy && at !== 0) continue;
      if (!healthy) attempt++;
      await sleep(
        backoffDelayMs({ ...this.#options.reconnect, factor: 2 }, attempt, this.#options.rng),
        signal,
      );
    }
  }

  /** One connection, until it closes. Resolves true when it got as far as a welcome. */
  async #session(signal: AbortSignal, url: string): Promise<boolean> {
    const { log, metrics } = this.#options;
    const handshakeTimeout = this.#options.handshakeTimeoutMs ?? 5000;
    let credential: string;
    // Not AbortSignal.any on the process signal: that leaks per reconnect on Node 20.
    const link = linkedSignal([signal], handshakeTimeout);
    try {
      credential = await this.#options.credential(link.signal);
    } catch (err) {
      if (!signal.aborted)
        log.warn({ err: toError(err) }, 'no credential for the leader: retrying');
      return false;
    } finally {
      link.dispose();
    }
    return new Promise((resolve) => {
      const ws = new WebSocket(url, {
        headers: { authorization: `Bearer ${credential}` },
        handshakeTimeout,
        maxPayload: 4 * 1024 * 1024,
        ...leaderTlsOptions(url, this.#options.trust ?? {}, (err) =>
          log.warn({ err }, 'leader certificate does not match the pin: not sending the token'),
        ),
      });
      this.#ws = ws;
      let welcomed = false;
      const onAbort = (): void => ws.close(1001, 'agent stopping');
      signal.addEventListener('abort', onAbort, { once: true });
      ws.on('open', () => {
        metrics.leaderConnected.set(1);
        this.#sendHello();
      });
      ws.on('message', (data: Buffer) => {
        const decoded = decodeLeaderMessage(data);
        if (!decoded.ok) {
          log.warn({ reason: decoded.reason }, 'bad message from leader: reconnecting');
          ws.close(4400, 'invalid message');
          return;
        }
        const msg = decoded.message;
        if (msg.type === 'welcome') {
          welcomed = true;
          this.#leader = { leader: msg.leader, epoch: msg.epoch };
          this.#kvBinary =
            (this.#options.kvBinary ?? true) && msg.features?.includes(KV_BINARY_FEATURE) === true;
          log.info({ leader: msg.leader, epoch: msg.epoch }, 'connected to leader');
          this.#options.commands?.welcomed(msg.epoch, (m) => this.#send(m));
          this.#options.kv?.welcomed((m) => this.#send(m));
        } else if (isCommandMessage(msg)) {
          this.#options.commands?.received(msg);
        } else if (msg.type === 'kv.resync' || msg.type === 'kv.lookup.result') {
          this.#options.kv?.received(msg);
        } else if (msg.type === 'pace') {
          this.#pace(msg.stateIntervalMs, msg.kvFlushIntervalMs);
          log.info({ ...msg }, 'leader paced reports');
        } else {
          log.info({ reason: msg.reason }, 'leader asked for a resync');
          this.#sendHello();
        }
      });
      ws.on('unexpected-response', (_req, res) => {
        log.warn({ status: res.statusCode }, 'leader refused the connection');
        ws.terminate();
      });
      ws.on('error', (err) => log.debug({ err: err.message }, 'leader connection error'));
      ws.on('close', (code, reason) => {
        signal.removeEventListener('abort', onAbort);
        metrics.leaderConnected.set(0);
        if (this.#ws === ws) this.#ws = undefined;
        this.#kvBinary = false;
        this.#options.commands?.disconnected();
        this.#options.kv?.disconnected();
        // A new leader starts unpaced (the KV reporter resets its own pace on disconnect); the
        // next hello carries the reports held back.
        this.#paced.reset();
        if (!signal.aborted)
          log.warn({ code, reason: reason.toString() }, 'leader connection closed');
        resolve(welcomed);
      });
    });
  }

  #pace(stateIntervalMs: number, kvFlushIntervalMs: number): void {
    this.#paced.pace(Math.min(stateIntervalMs, PACE_LIMITS.maxStateIntervalMs));
    this.#options.kv?.paced?.(Math.min(kvFlushIntervalMs, PACE_LIMITS.maxKvFlushIntervalMs));
  }

  #sendHello(): void {
    const snapshot: NodeSnapshot = this.#snapshot;
    this.#seq++;
    const sent = this.#send({
      v: PROTOCOL_VERSION,
      type: 'hello',
      node: this.#options.node,
      agentVersion: this.#options.agentVersion,
      seq: this.#seq,
      snapshot,
      features:
        (this.#options.kvBinary ?? true) ? [PACE_FEATURE, KV_BINARY_FEATURE] : [PACE_FEATURE],
    });
    if (sent) this.#engines = new Map(snapshot.engines.map((r) => [r.id, JSON.stringify(r)]));
  }

  #sendDelta(delta: Omit<Extract<AgentMessage, { type: 'state' }>, 'v' | 'type' | 'seq'>): boolean {
    if (!this.connected) return false;
    this.#seq++;
    return this.#send({ v: PROTOCOL_VERSION, type: 'state', seq: this.#seq, ...delta });
  }

  #send(message: AgentMessage): boolean {
    const ws = this.#ws;
    if (ws?.readyState !== WebSocket.OPEN) return false;
    if (ws.bufferedAmount > (this.#options.highWaterBytes ?? 8 * 1024 * 1024)) {
      this.#options.log.warn(
        { buffered: ws.bufferedAmount },
        'leader is not reading: dropping the connection',
      );
      ws.terminate();
      return false;
    }
    ws.send(
      message.type === 'kv' && this.#kvBinary ? encodeKvBinary(message) : JSON.stringify(message),
    );
    this.#options.metrics.reportsSent.inc({ type: message.type });
    return true;
  }
}
