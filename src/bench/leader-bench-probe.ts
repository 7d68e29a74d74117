/**
 * `bench leader`'s probe: one more agent (node `probe-node`, one engine serving `probe-model`)
 * speaking the real protocol from the bench process, whose changes are timed until the gateway's
 * routing shows them. A trial sends a change, then asks the gateway for `probe-model` back to
 * back until the answer flips (200 → 503 "no ready engine", then back): the time from the send
 * to the first flipped answer is the delay from an agent's message to the routing view, at the
 * cluster's size and load (resolution: one gateway round trip, ~1 ms).
 * Two kinds: `ready` (a plain state delta saying the engine stopped answering) and `gpu` (an
 * urgent delta saying its GPU failed with an Xid, as the agent's GPU monitor sends it).
 */
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION, deriveAgentToken, type AgentMessage } from '../protocol/index.js';
import { sleep } from '../shared/index.js';
import {
  PROBE_ENGINE_ID,
  PROBE_MODEL,
  PROBE_NODE,
  engineReport,
  gpuSummaries,
} from './leader-bench-plan.js';
import { postChat } from './leader-bench-picks.js';

/** One timed change: to the routing view and back; null when it did not show within the limit. */
export interface ProbeTrial {
  readonly kind: 'ready' | 'gpu';
  readonly visibleMs: number | null;
  readonly recoveredMs: number | null;
}

const URL_STUB = 'http://127.0.0.1:1';

/** The probe agent's connection. */
export class ProbeAgent {
  readonly #ws: WebSocket;
  #seq = 0;
  #tick = 0;
  #ready = true;
  #timer: NodeJS.Timeout | undefined;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
  }

  /** Connects, says hello and keeps sending a state delta every `periodMs`. */
  static async connect(hubUrl: string, secret: string, periodMs: number): Promise<ProbeAgent> {
    const ws = new WebSocket(hubUrl, {
      headers: { authorization: `Bearer ${deriveAgentToken(secret, PROBE_NODE)}` },
      handshakeTimeout: 10_000,
    });
    ws.on('error', () => undefined);
    await once(ws, 'open');
    const probe = new ProbeAgent(ws);
    probe.#send({
      v: PROTOCOL_VERSION,
      type: 'hello',
      node: PROBE_NODE,
      agentVersion: 'bench',
      seq: 0,
      snapshot: { engines: [probe.#report()], gpus: gpuSummaries(1) },
    });
    probe.#timer = setInterval(() => probe.#state({ engines: [probe.#report()] }), periodMs);
    return probe;
  }

  /** Times one change to routing's view and back; `timeoutMs` bounds each direction. */
  async trial(
    kind: ProbeTrial['kind'],
    gatewayUrl: string,
    timeoutMs: number,
  ): Promise<ProbeTrial> {
    const routable = async (): Promise<boolean> =>
      (await postChat(gatewayUrl, PROBE_MODEL, 'probe', 5000)) === 200;
    const until = async (want: boolean, since: number): Promise<number | null> => {
      while (performance.now() - since < timeoutMs) {
        if ((await routable()) === want) return performance.now() - since;
      }
      return null;
    };
    if ((await until(true, performance.now())) === null)
      return { kind, visibleMs: null, recoveredMs: null };
    const sentAt = performance.now();
    this.#change(kind, false);
    const visibleMs = await until(false, sentAt);
    const backAt = performance.now();
    this.#change(kind, true);
    const recoveredMs = await until(true, backAt);
    return { kind, visibleMs, recoveredMs };
  }

  close(): void {
    clearInterval(this.#timer);
    this.#ws.terminate();
  }

  #change(kind: ProbeTrial['kind'], healthy: boolean): void {
    if (kind === 'ready') {
      this.#ready = healthy;
      this.#state({ engines: [this.#report()] });
    } else {
      this.#state({ gpus: gpuSummaries(1, healthy ? undefined : 0), urgent: !healthy });
    }
  }

  #report() {
    return engineReport(PROBE_ENGINE_ID, PROBE_MODEL, URL_STUB, ++this.#tick, this.#ready);
  }

  #state(delta: Omit<Extract<AgentMessage, { type: 'state' }>, 'v' | 'type' | 'seq'>): void {
    if (this.#send({ v: PROTOCOL_VERSION, type: 'state', seq: this.#seq + 1, ...delta }))
      this.#seq++;
  }

  #send(message: AgentMessage): boolean {
    if (this.#ws.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(JSON.stringify(message));
    return true;
  }
}

/** Runs `trials` of each kind, a short pause apart. */
export async function runProbeTrials(
  probe: ProbeAgent,
  gatewayUrl: string,
  trials: number,
  timeoutMs: number,
): Promise<ProbeTrial[]> {
  const out: ProbeTrial[] = [];
  for (let i = 0; i < trials; i++) {
    for (const kind of ['ready', 'gpu'] as const) {
      out.push(await probe.trial(kind, gatewayUrl, timeoutMs));
      await sleep(250);
    }
  }
  return out;
}
