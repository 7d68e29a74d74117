/**
 * The agent's node-local API: /healthz, /readyz, /metrics, /v1/engines (what the agent sees) and
 * extra JSON routes that capabilities register (e.g. /v1/gpus).
 */
import type http from 'node:http';
import {
  createJsonServer,
  serveOpsRoute,
  serveUntilAborted,
  sendJson,
  type Logger,
  type Registry,
} from '../shared/index.js';

export interface AgentApiOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  readonly log: Logger;
  readonly isReady: () => boolean;
  /** GET routes that answer JSON, by path. */
  readonly jsonRoutes: Readonly<Record<string, () => unknown>>;
}

export class AgentApi {
  readonly name = 'agent-api';
  readonly #options: AgentApiOptions;
  readonly #server: http.Server;
  #port = 0;

  constructor(options: AgentApiOptions) {
    this.#options = options;
    this.#server = createJsonServer((req, res) => this.#handle(req, res));
  }

  get port(): number {
    return this.#port;
  }

  run(signal: AbortSignal): Promise<void> {
    return serveUntilAborted(this.#server, {
      host: this.#options.host,
      port: this.#options.port,
      closeGraceMs: 1000,
      signal,
      onListening: (port) => {
        this.#port = port;
        this.#options.log.info({ port }, 'agent API listening');
      },
    });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'only GET' });
    if (await serveOpsRoute(path, res, this.#options)) return;
    const route = this.#options.jsonRoutes[path];
    if (route !== undefined) return sendJson(res, 200, route());
    sendJson(res, 404, { error: `unknown path ${path}` });
  }
}
