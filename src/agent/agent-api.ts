/**
 * The agent's node-local API: /healthz, /readyz, /metrics, /v1/engines (what the agent sees) and
 * extra JSON routes that capabilities register (e.g. /v1/gpus).
 */
import http from 'node:http';
import {
  closeServer,
  listen,
  sendJson,
  sendText,
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
  readonly #o: AgentApiOptions;
  readonly #server: http.Server;
  #port = 0;

  constructor(options: AgentApiOptions) {
    this.#o = options;
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      });
    });
  }

  get port(): number {
    return this.#port;
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#port = await listen(this.#server, this.#o.port, this.#o.host);
    this.#o.log.info({ port: this.#port }, 'agent API listening');
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await closeServer(this.#server, 1000);
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'only GET' });
    if (path === '/metrics')
      return sendText(res, 200, await this.#o.registry.metrics(), this.#o.registry.contentType);
    if (path === '/healthz' || path === '/livez') return sendText(res, 200, 'ok\n');
    if (path === '/readyz')
      return this.#o.isReady() ? sendText(res, 200, 'ready\n') : sendText(res, 503, 'not ready\n');
    const route = this.#o.jsonRoutes[path];
    if (route !== undefined) return sendJson(res, 200, route());
    sendJson(res, 404, { error: `unknown path ${path}` });
  }
}
