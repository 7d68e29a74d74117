/**
 * The OpenAI-compatible HTTP server. On stop: readiness fails, new requests get 503 with
 * `Connection: close`, in-flight streams drain up to the grace period, then sockets close.
 */
import http from 'node:http';
import { closeServer, listen, sendJson, toError, type Logger } from '../shared/index.js';
import { handleInference, type InferenceDeps } from './handle-inference.js';
import { openAiError } from './openai-error.js';
import type { ApiKind } from './parse-request.js';

export interface GatewayServerOptions {
  readonly host: string;
  readonly port: number;
  readonly deps: InferenceDeps;
  readonly log: Logger;
  /** How long in-flight requests may take to finish on stop. Default 10000 ms. */
  readonly drainMs?: number;
  /** Called with the bound port once listening. */
  readonly onListening?: (port: number) => void;
}

const ROUTES: Readonly<Record<string, ApiKind>> = {
  '/v1/chat/completions': 'chat',
  '/v1/completions': 'completions',
  '/v1/embeddings': 'embeddings',
};

export class GatewayServer {
  readonly name = 'gateway';
  readonly #o: GatewayServerOptions;
  readonly #server: http.Server;
  #draining = false;
  #port = 0;

  constructor(options: GatewayServerOptions) {
    this.#o = options;
    this.#server = http.createServer(
      { keepAliveTimeout: 65_000, headersTimeout: 30_000 },
      (req, res) => this.#handle(req, res),
    );
  }

  get port(): number {
    return this.#port;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Takes an engine out of service for the requests already on it: they may finish within
   * `timeoutMs`, then are cut. (New requests avoid it through the catalog.) Returns how many
   * requests were in flight to it.
   */
  drainEndpoint(id: string, timeoutMs: number): number {
    return this.#o.deps.inFlight.drain(id, timeoutMs);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#port = await listen(this.#server, this.#o.port, this.#o.host);
    this.#o.log.info({ host: this.#o.host, port: this.#port }, 'gateway listening');
    this.#o.onListening?.(this.#port);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    this.#draining = true;
    await closeServer(this.#server, this.#o.drainMs ?? 10_000);
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (this.#draining) {
      sendJson(res, 503, openAiError(503, 'gateway is shutting down', 'shutting_down'), {
        connection: 'close',
        'retry-after': '1',
      });
      return;
    }
    const kind = ROUTES[path];
    if (kind !== undefined && req.method === 'POST') {
      handleInference(kind, req, res, this.#o.deps).catch((err: unknown) => {
        this.#o.log.error({ err: toError(err) }, 'unhandled gateway error');
        if (!res.headersSent)
          sendJson(res, 500, openAiError(500, 'internal error', 'internal_error'));
        else res.destroy();
      });
      return;
    }
    if (path === '/v1/models' && req.method === 'GET') {
      const data = this.#o.deps.catalog.models().map((m) => ({
        id: m.id,
        object: 'model',
        created: 0,
        owned_by: 'infernode',
        root: m.id,
        parent: m.parent ?? null,
      }));
      sendJson(res, 200, { object: 'list', data });
      return;
    }
    if (kind !== undefined) {
      sendJson(res, 405, openAiError(405, `use POST for ${path}`, 'method_not_allowed'), {
        allow: 'POST',
      });
      return;
    }
    sendJson(res, 404, openAiError(404, `unknown path ${path}`, 'unknown_path'));
  }
}
