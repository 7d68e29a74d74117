/**
 * The OpenAI-compatible HTTP server. On stop: readiness fails, new requests get 503 with
 * `Connection: close`, in-flight streams drain up to the grace period, then sockets close.
 *
 * Before any work, every request is checked in this order: shutting down (503), too many
 * connections (503), the API key from the headers (401). Only then does a path, a method, a
 * routing strategy or a model get an answer, so a caller without a key learns nothing and costs
 * no body read. Answers sent before the body was read drain it first (reply-and-linger.ts).
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { handleClientError } from './client-error.js';
import { closeServer, listen, toError, type Logger } from '../shared/index.js';
import { BodyBudget } from './body-budget.js';
import { handleInference } from './handle-inference.js';
import type { InferenceDeps } from './inference-deps.js';
import { DEFAULT_INTAKE_LIMITS, type IntakeLimits } from './intake-limits.js';
import { errorResponse, openAiError } from './openai-error.js';
import type { ApiKind } from './parse-request.js';
import { replyAndLinger } from './reply-and-linger.js';

/** Where the gateway listens, what it answers with, and its limits for intake and shutdown. */
export interface GatewayServerOptions {
  readonly host: string;
  readonly port: number;
  readonly deps: InferenceDeps;
  readonly log: Logger;
  /** How long in-flight requests may take to finish on stop. Default 10000 ms. */
  readonly drainMs?: number;
  /** Connection, body-budget and arrival-time bounds; see DEFAULT_INTAKE_LIMITS. */
  readonly limits?: Partial<IntakeLimits>;
  /** Called with the bound port once listening. */
  readonly onListening?: (port: number) => void;
}

const ROUTES: Readonly<Record<string, ApiKind>> = {
  '/v1/chat/completions': 'chat',
  '/v1/completions': 'completions',
  '/v1/embeddings': 'embeddings',
};

/** How often Node checks headers and request timeouts (its default, 30 s, would blur them). */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/**
 * The OpenAI-compatible HTTP front door: bounded intake, routing, relay to the engine, and a drain
 * on stop.
 */
export class GatewayServer {
  readonly name = 'gateway';
  readonly #options: GatewayServerOptions;
  readonly #limits: IntakeLimits;
  readonly #server: http.Server;
  readonly #budget: BodyBudget;
  /** Connections accepted past `maxConnections`: their requests are refused. */
  readonly #overLimit = new WeakSet<Socket>();
  /** Sockets whose request is being answered now (see client-error.ts). */
  readonly #answering = new WeakSet<Duplex>();
  #connections = 0;
  #draining = false;
  #port = 0;

  constructor(options: GatewayServerOptions) {
    this.#options = options;
    const limits = { ...DEFAULT_INTAKE_LIMITS, ...options.limits };
    this.#limits = limits;
    this.#budget = new BodyBudget(limits.maxInFlightBodyBytes);
    this.#server = http.createServer(
      {
        keepAliveTimeout: 65_000,
        headersTimeout: limits.headersTimeoutMs,
        // Node's own backstop for a whole request (headers and body); ours answer first.
        requestTimeout: limits.headersTimeoutMs + limits.bodyTimeoutMs + 5000,
        connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      },
      (req, res) => this.#handle(req, res),
    );
    // Past the limit a connection still gets an HTTP answer (503), so the client knows why;
    // past twice the limit Node drops sockets unanswered, which bounds the refusals too.
    this.#server.maxConnections = 2 * limits.maxConnections;
    this.#server.on('connection', (socket: Socket) => {
      this.#connections++;
      if (this.#connections > limits.maxConnections) this.#overLimit.add(socket);
      socket.once('close', () => this.#connections--);
    });
    this.#server.on('clientError', (err: Error & { code?: string }, socket: Duplex) =>
      handleClientError(err, socket, (s) => this.#answering.has(s)),
    );
  }

  get port(): number {
    return this.#port;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Request-body bytes held by in-flight requests now. */
  get inFlightBodyBytes(): number {
    return this.#budget.inUseBytes;
  }

  /**
   * Takes an engine out of service for the requests already on it: they may finish within
   * `timeoutMs`, then are cut. (New requests avoid it through the catalog.) Returns how many
   * requests were in flight to it.
   */
  drainEndpoint(id: string, timeoutMs: number): number {
    return this.#options.deps.inFlight.drain(id, timeoutMs);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#port = await listen(this.#server, this.#options.port, this.#options.host);
    this.#options.log.info({ host: this.#options.host, port: this.#port }, 'gateway listening');
    this.#options.onListening?.(this.#port);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    this.#draining = true;
    await closeServer(this.#server, this.#options.drainMs ?? 10_000);
    await this.#options.deps.pools.close();
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    // A socket with a response under way: stray bytes after `Connection: close` must not drop it.
    const socket = req.socket;
    this.#answering.add(socket);
    res.once('close', () => this.#answering.delete(socket));
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void =>
      replyAndLinger(req, res, status, body, headers);
    if (this.#draining) {
      reply(503, openAiError(503, 'gateway is shutting down', 'shutting_down'), {
        connection: 'close',
        'retry-after': '1',
      });
      return;
    }
    if (this.#overLimit.has(req.socket)) {
      const message = `the gateway has its maximum of ${this.#limits.maxConnections} connections; retry shortly`;
      reply(503, openAiError(503, message, 'gw_too_many_connections'), {
        connection: 'close',
        'retry-after': '1',
      });
      return;
    }
    const auth = this.#options.deps.admission.authenticate(req.headers.authorization);
    if (!auth.ok) {
      reply(auth.status, openAiError(auth.status, auth.message, auth.code));
      return;
    }
    this.#route(req, res, reply);
  }

  #route(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    reply: (status: number, body: unknown, headers?: Record<string, string>) => void,
  ): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const kind = ROUTES[path];
    if (kind !== undefined && req.method === 'POST') {
      const lease = this.#budget.lease();
      res.once('close', () => lease.release());
      const intake = { lease, bodyTimeoutMs: this.#limits.bodyTimeoutMs };
      handleInference(kind, req, res, this.#options.deps, intake).catch((err: unknown) => {
        // Every 500 is logged with its stack (and its cause's); the client gets no stack.
        this.#options.log.error({ err: toError(err) }, 'unhandled gateway error');
        if (res.headersSent) res.destroy();
        else {
          const { status, body } = errorResponse(err);
          reply(status, body);
        }
      });
      return;
    }
    if (path === '/v1/models' && req.method === 'GET') {
      const data = this.#options.deps.catalog.models().map((m) => ({
        id: m.id,
        object: 'model',
        created: 0,
        owned_by: 'infernode',
        root: m.id,
        parent: m.parent ?? null,
      }));
      reply(200, { object: 'list', data });
      return;
    }
    if (kind !== undefined) {
      reply(405, openAiError(405, `use POST for ${path}`, 'method_not_allowed'), {
        allow: 'POST',
      });
      return;
    }
    reply(404, openAiError(404, `unknown path ${path}`, 'unknown_path'));
  }
}
