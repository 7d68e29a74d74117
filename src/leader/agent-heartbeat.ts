/**
 * The agent hub's liveness check: every agent connection is pinged once per ping interval, in
 * slices so no event-loop turn pings them all, unless it sent a message since the last round;
 * one that missed 3 pongs is terminated (its close handler marks the agent lost). Apart from
 * the hub (agent-hub.ts) because it is the only part driven by a timer rather than by a message.
 */
import type { WebSocket } from 'ws';
import { RoundRobinSlices, type Logger } from '../shared/index.js';
import type { AgentSession } from './agent-hub-options.js';

/** Pings go out in this many slices per interval, so no turn pings every agent (1,000: ~18 ms). */
const PING_SLICES = 10;

export class AgentHeartbeat {
  readonly #pings: RoundRobinSlices<WebSocket, AgentSession>;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;

  /** `sessions` is the hub's live table of connections (read, never changed here). */
  constructor(sessions: ReadonlyMap<WebSocket, AgentSession>, log: Logger) {
    this.#pings = new RoundRobinSlices(sessions, PING_SLICES);
    this.#log = log;
  }

  /** Starts pinging: each connection once per `intervalMs`. */
  start(intervalMs: number): void {
    this.#timer = setInterval(() => this.#beat(), intervalMs / PING_SLICES);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Pings the next slice of agents: each is pinged once per ping interval. */
  #beat(): void {
    for (const [ws, session] of this.#pings.next()) {
      if (session.heard) {
        // Any message since the last look proves the connection and the agent's loop alike.
        session.heard = false;
        session.missedPongs = 0;
        continue;
      }
      if (session.missedPongs >= 3) {
        this.#log.warn({ node: session.node }, 'agent missed 3 heartbeats: lost');
        ws.terminate();
        continue;
      }
      session.missedPongs++;
      ws.ping();
    }
  }
}
