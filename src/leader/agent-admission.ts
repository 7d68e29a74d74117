/**
 * Admission of an agent connection before its WebSocket exists: a bearer credential, a leader to
 * report to, room under `maxAgents`, and the AgentAuthenticator's answer within `authTimeoutMs`.
 * Apart from the hub (agent-hub.ts) because it works on the raw HTTP upgrade (refusals are status
 * lines, not close codes) and keeps its own count of credential checks in flight; the hub only
 * learns the node an admitted connection may speak for.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { authenticateWithin, bearerCredential } from './agent-authenticator.js';
import type { AgentHubMetrics } from './agent-hub-metrics.js';
import type { AgentHubOptions } from './agent-hub-options.js';

/** The hub's options admission reads. */
export type AgentAdmissionOptions = Pick<
  AgentHubOptions,
  'authenticator' | 'identity' | 'log' | 'maxAgents' | 'authTimeoutMs'
>;

export class AgentAdmission {
  readonly #options: AgentAdmissionOptions;
  readonly #metrics: AgentHubMetrics;
  /** Agent connections the hub holds now (authenticated, hello or not). */
  readonly #connections: () => number;
  #authenticating = 0;

  constructor(options: AgentAdmissionOptions, metrics: AgentHubMetrics, connections: () => number) {
    this.#options = options;
    this.#metrics = metrics;
    this.#connections = connections;
  }

  /**
   * Calls `admit` with the node the upgrade's credential may speak for, or answers the socket with
   * a refusal. Reasons counted: Unauthorized, Auth Unavailable, Not Leader, Too Many Agents.
   */
  handle(req: IncomingMessage, socket: Duplex, admit: (node: string) => void): void {
    const refuse = (status: number, reason: string): void => {
      this.#metrics.rejected.inc({ reason });
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const credential = bearerCredential(req.headers.authorization);
    if (credential === undefined) return refuse(401, 'Unauthorized');
    if (this.#options.identity() === undefined) return refuse(503, 'Not Leader');
    if (this.#connections() + this.#authenticating >= (this.#options.maxAgents ?? 5000))
      return refuse(503, 'Too Many Agents');
    this.#authenticating++;
    void authenticateWithin(
      this.#options.authenticator,
      credential,
      this.#options.authTimeoutMs ?? 5000,
    ).then((result) => {
      this.#authenticating--;
      if (socket.destroyed) return;
      if (!result.ok) {
        this.#options.log.warn({ reason: result.reason, detail: result.detail }, 'agent refused');
        return result.reason === 'unauthorized'
          ? refuse(401, 'Unauthorized')
          : refuse(503, 'Auth Unavailable');
      }
      if (this.#options.identity() === undefined) return refuse(503, 'Not Leader');
      admit(result.node);
    });
  }
}
