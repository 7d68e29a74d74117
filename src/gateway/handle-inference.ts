/**
 * One inference request through the gateway: parse, admit, route, forward with one retry on
 * another engine when nothing reached the client yet, relay, account.
 */
import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  pick,
  parseStrategy,
  type EndpointLoad,
  type RoutingContext,
  type StrategyMix,
} from '../routing/index.js';
import { AppError, readBody, sendJson, type Clock, type Logger } from '../shared/index.js';
import type { Admission } from './admission.js';
import type { EndpointCatalog, GatewayEndpoint } from './endpoint-catalog.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { InFlightTracker } from './in-flight.js';
import { errorResponse, openAiError } from './openai-error.js';
import { parseRequest, type ApiKind, type ParsedRequest } from './parse-request.js';
import type { PassiveHealth } from './passive-health.js';
import { relay } from './relay.js';
import {
  CONNECT_FAILURES,
  callUpstream,
  readUpstreamBody,
  type UpstreamTimeouts,
} from './upstream.js';

export interface InferenceDeps {
  readonly catalog: EndpointCatalog;
  readonly admission: Admission;
  readonly inFlight: InFlightTracker;
  readonly health: PassiveHealth;
  readonly metrics: GatewayMetrics;
  readonly routing: RoutingContext;
  readonly defaultStrategy: string;
  readonly agent: Agent;
  readonly timeouts: UpstreamTimeouts;
  readonly maxBodyBytes: number;
  /** Seconds clients are told to wait when no engine is ready. */
  readonly retryAfterSeconds: number;
  readonly clock: Clock;
  readonly log: Logger;
}

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);
const mixCache = new Map<string, ReturnType<typeof parseStrategy>>();

function strategyFor(
  header: string | string[] | undefined,
  fallback: string,
): ReturnType<typeof parseStrategy> & { name: string } {
  const name = typeof header === 'string' && header.trim() !== '' ? header.trim() : fallback;
  let parsed = mixCache.get(name);
  if (parsed === undefined) {
    parsed = parseStrategy(name);
    if (mixCache.size > 256) mixCache.clear();
    mixCache.set(name, parsed);
  }
  return { ...parsed, name };
}

function toLoad(
  e: GatewayEndpoint,
  deps: InferenceDeps,
  exclude: ReadonlySet<string>,
): EndpointLoad {
  return {
    ...e,
    inFlight: deps.inFlight.get(e.id),
    healthy: e.clusterHealthy && !deps.health.isEjected(e.id) && !exclude.has(e.id),
  };
}

function headerString(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Handles POST /v1/chat/completions, /v1/completions and /v1/embeddings. */
export async function handleInference(
  kind: ApiKind,
  req: IncomingMessage,
  res: ServerResponse,
  deps: InferenceDeps,
): Promise<void> {
  const started = performance.now();
  const requestId = headerString(req.headers['x-request-id'])?.slice(0, 128) ?? randomUUID();
  const base = { 'request-id': requestId };
  let model = 'unknown';
  let strategyName = deps.defaultStrategy;
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
    deps.metrics.requests.inc({ model, status: String(status), strategy: strategyName });
    if (!res.headersSent) sendJson(res, status, body, { ...base, ...headers });
  };
  let parsed: ParsedRequest;
  let mix: StrategyMix;
  let raw: Buffer;
  try {
    raw = await readBody(req, deps.maxBodyBytes);
    parsed = parseRequest(kind, raw);
    const strategy = strategyFor(req.headers['routing-strategy'], deps.defaultStrategy);
    strategyName = strategy.name;
    if (!strategy.ok)
      return reply(
        400,
        openAiError(400, strategy.message, 'invalid_routing_strategy', 'routing-strategy'),
      );
    mix = strategy.mix;
  } catch (err) {
    const { status, body } = errorResponse(err);
    return reply(status, body, status === 413 ? { connection: 'close' } : {});
  }
  const lookup = deps.catalog.lookup(parsed.model);
  model = lookup.known ? parsed.model : 'unknown';
  if (!lookup.known)
    return reply(
      404,
      openAiError(404, `The model \`${parsed.model}\` does not exist.`, 'model_not_found', 'model'),
    );
  const abort = new AbortController();
  // Only a client that leaves before the response is done aborts: aborting after a finished
  // response would build an AbortError (a DOMException with a stack) per request for nothing.
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const admission = await deps.admission.admit(
    {
      user: headerString(req.headers.user) ?? parsed.user,
      authorization: req.headers.authorization,
      model: parsed.model,
      promptTokens: parsed.promptTokens,
      maxTokens: parsed.maxTokens,
    },
    { signal: abort.signal },
  );
  if (!admission.ok) {
    const headers: Record<string, string> =
      admission.retryAfterSeconds === undefined
        ? {}
        : { 'retry-after': String(admission.retryAfterSeconds) };
    return reply(
      admission.status,
      openAiError(admission.status, admission.message, admission.code),
      headers,
    );
  }
  const request = {
    model: parsed.model,
    baseModel: lookup.baseModel,
    adapter: lookup.adapter,
    promptText: parsed.promptText,
    promptTokens: parsed.promptTokens,
    maxTokens: parsed.maxTokens,
    user: admission.user,
    sessionId: headerString(req.headers['x-session-id']),
    requestId,
  };
  const tried = new Set<string>();
  let lastError: AppError | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    let chosen: EndpointLoad;
    try {
      chosen = pick(
        { endpoints: lookup.endpoints.map((e) => toLoad(e, deps, tried)), nowMs: deps.clock.now() },
        request,
        mix,
        deps.routing,
      );
    } catch {
      break;
    }
    const endpoint = lookup.endpoints.find((e) => e.id === chosen.id) as GatewayEndpoint;
    tried.add(endpoint.id);
    if (attempt > 0) deps.metrics.retries.inc();
    const current: { upstream?: IncomingMessage } = {};
    const done = deps.inFlight.start(endpoint.id, () => {
      // Drain deadline passed (engine taken out of service): cut this request.
      if (current.upstream === undefined) abort.abort();
      else current.upstream.destroy();
    });
    deps.metrics.inFlight.inc();
    const dispatchedAt = performance.now();
    let upstream: IncomingMessage;
    try {
      upstream = await callUpstream({
        baseUrl: endpoint.url,
        path: req.url ?? '/',
        headers: {
          'content-type': 'application/json',
          'content-length': String(raw.length),
          'x-request-id': requestId,
        },
        body: raw,
        agent: deps.agent,
        timeouts: deps.timeouts,
        signal: abort.signal,
      });
    } catch (err) {
      done();
      deps.metrics.inFlight.dec();
      lastError =
        err instanceof AppError
          ? err
          : new AppError('GW_UPSTREAM_ERROR', 'upstream failed', { cause: err });
      deps.metrics.upstreamErrors.inc({ kind: lastError.code });
      if (abort.signal.aborted)
        return finishClientGone(deps, model, strategyName, admission.ticket);
      if (
        CONNECT_FAILURES.has(lastError.code) &&
        deps.health.recordFailure(endpoint.id, deps.clock.now())
      ) {
        deps.metrics.ejections.inc();
        deps.log.warn(
          { endpoint: endpoint.id, code: lastError.code },
          'engine ejected by passive health checks',
        );
      }
      continue;
    }
    current.upstream = upstream;
    deps.health.recordSuccess(endpoint.id);
    const status = upstream.statusCode ?? 502;
    if (RETRYABLE_STATUS.has(status) && attempt === 0) {
      upstream.resume();
      done();
      deps.metrics.inFlight.dec();
      lastError = new AppError('GW_UPSTREAM_ERROR', `engine ${endpoint.name} answered ${status}`);
      deps.metrics.upstreamErrors.inc({ kind: `http_${status}` });
      continue;
    }
    const headers = { ...base, 'target-pod': endpoint.name, 'routing-strategy': strategyName };
    try {
      if (status >= 400 && !parsed.stream) {
        const text = (await readUpstreamBody(upstream, 64 * 1024)).toString('utf8');
        reply(status, normalizeUpstreamError(status, text), headers);
        await admission.ticket.settle(undefined);
        return;
      }
      const headersAt = performance.now();
      const relayed = relay(upstream, res, {
        stream: parsed.stream,
        streamIdleTimeoutMs: deps.timeouts.streamIdleTimeoutMs,
        headers,
      });
      deps.metrics.addedLatency.observe(
        (dispatchedAt - started + performance.now() - headersAt) / 1000,
      );
      const result = await relayed;
      const code =
        result.outcome === 'complete' ? status : result.outcome === 'client-gone' ? 499 : 502;
      if (result.error !== undefined) deps.metrics.upstreamErrors.inc({ kind: result.error.code });
      deps.metrics.requests.inc({ model, status: String(code), strategy: strategyName });
      await admission.ticket.settle(result.usage);
      return;
    } finally {
      done();
      deps.metrics.inFlight.dec();
    }
  }
  await admission.ticket.settle(undefined);
  if (lastError === undefined) {
    return reply(
      503,
      openAiError(503, `no ready engine for model ${parsed.model}`, 'no_ready_endpoint'),
      { 'retry-after': String(deps.retryAfterSeconds) },
    );
  }
  const { status, body } = errorResponse(lastError);
  reply(status, body);
}

async function finishClientGone(
  deps: InferenceDeps,
  model: string,
  strategy: string,
  ticket: { settle(u: undefined): Promise<void> },
): Promise<void> {
  deps.metrics.requests.inc({ model, status: '499', strategy });
  await ticket.settle(undefined);
}

/** Turns an engine's error body (vLLM's `{"object":"error",…}` or anything else) into OpenAI's shape. */
export function normalizeUpstreamError(status: number, text: string): unknown {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (body.error !== null && typeof body.error === 'object') return body;
    if (typeof body.message === 'string') return openAiError(status, body.message, null);
  } catch {
    // Not JSON: fall through to a generic message.
  }
  return openAiError(
    status,
    text.trim() === '' ? `upstream answered ${status}` : text.slice(0, 1000),
    null,
  );
}
