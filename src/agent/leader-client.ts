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
import { backoffDelayMs, linkedSignal, sleep, systemClock, toError } from '../shared/index.js';
import { isCommandMessage } from './command-channel.js';
import type { LeaderClientOptions } from './leader-client-options.js';
import { leaderTlsOptions } from './leader-tls.js';
import { PacedReports } from './paced-reports.js';
import { SentEngineReports } from './sent-engine-reports.js';

export type { LeaderClientOptions } from './leader-client-options.js';

export class LeaderClient {
  readonly name = 'leader-client';
  readonly #options: LeaderClientOptions;
  #ws: WebSocket | undefined;
  #seq = 0;
  readonly #sentEngines = new SentEngineReports();
  #snapshot: { engines: EngineReport[]; gpus: GpuHealthSummary[] } = { engines: [], gpus: [] };
  #leader: { leader: string; epoch: number } | undefined;
  /** This connection's welcome accepted binary `kv` frames. */
  #kvBinary = false;
  readonly #paced: PacedReports;

  constructor(options: LeaderClientOptions) {
    this.#options = options;
    this.#paced = new PacedReports(
      options.clock ?? systemClock,
      (r) => this.#sendEngines(r),
      () => options.rng.next(), // the phase of a new pace
    );
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
    const delta = this.#sentEngines.diff(reports);
    if (delta === undefined || !this.#sendDelta(delta)) return false;
    this.#sentEngines.sent(delta);
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
    if (sent) this.#sentEngines.reset(snapshot.engines);
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
