/**
 * The agent's node-local API: /healthz, /readyz, /metrics, /v1/engines (what the agent sees),
 * extra JSON routes that capabilities register (e.g. /v1/gpus) and POST routes that act (e.g.
 * /v1/weights/pull). POST bodies are bounded JSON objects; POST is guarded by a bearer token
 * (agent-api-errors.ts); errors answer `{ error: { code, message } }`.
 */
import type http from 'node:http';
import {
  AppError,
  createJsonServer,
  readBody,
  serveOpsRoute,
  serveUntilAborted,
  sendJson,
  type Logger,
  type Registry,
} from '../shared/index.js';
import { badRequest, checkMutationAllowed, sendAgentError } from './agent-api-errors.js';

/** Largest POST body read, bytes: a route's arguments, never data. */
export const AGENT_MAX_BODY_BYTES = 16 * 1024;

/** One POST request as a route sees it; the route writes its own answer on `res`. */
export interface AgentPostRequest {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly url: URL;
  /** The parsed JSON body: always an object (an empty body reads as `{}`). */
  readonly body: Readonly<Record<string, unknown>>;
}

/** A POST route; a thrown AppError answers with its code and status. */
export type AgentPostRoute = (request: AgentPostRequest) => Promise<void>;

export interface AgentApiOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  readonly log: Logger;
  readonly isReady: () => boolean;
  /** GET routes that answer JSON, by path. */
  readonly jsonRoutes: Readonly<Record<string, () => unknown>>;
  /** POST routes, by path (mutating: they pass {@link checkMutationAllowed} first). */
  readonly postRoutes?: Readonly<Record<string, AgentPostRoute>>;
  /** The bearer token POST routes require; '' for none (then only on a loopback host). */
  readonly apiToken?: string;
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
    if (req.method === 'POST') return this.#post(path, req, res);
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'only GET and POST' });
    if (await serveOpsRoute(req.url ?? '/', res, this.#options)) return;
    const route = this.#options.jsonRoutes[path];
    if (route !== undefined) return sendJson(res, 200, route());
    sendJson(res, 404, { error: `unknown path ${path}` });
  }

  async #post(path: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const route = this.#options.postRoutes?.[path];
    if (route === undefined) {
      req.resume();
      return sendJson(res, 404, { error: `unknown path ${path}` });
    }
    try {
      // Who may act is checked before a byte of the body is read.
      checkMutationAllowed(req, this.#options.apiToken ?? '', this.#options.host);
      const body = await readJsonObject(req);
      const url = new URL(req.url ?? '/', 'http://agent.local');
      await route({ req, res, url, body });
    } catch (err) {
      req.resume();
      if (res.headersSent) res.destroy();
      else sendAgentError(res, err);
    }
  }
}

/** The request's body as a JSON object, within {@link AGENT_MAX_BODY_BYTES}. */
async function readJsonObject(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  let raw: Buffer;
  try {
    raw = await readBody(req, AGENT_MAX_BODY_BYTES);
  } catch (err) {
    const tooLarge = err instanceof AppError && err.code === 'GW_BODY_TOO_LARGE';
    throw badRequest(
      tooLarge ? `the body is over ${AGENT_MAX_BODY_BYTES} bytes` : 'the body could not be read',
      tooLarge ? 413 : 400,
    );
  }
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('the body is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw badRequest('the body must be a JSON object');
  return parsed as Record<string, unknown>;
}
