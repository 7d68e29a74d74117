/**
 * One inference request through the gateway: parse, admit, route, forward with one retry on
 * another engine when nothing reached the client yet, relay, account. Which engine to try is
 * choose-endpoint.ts; which answers are retried is screen-upstream-answer.ts; what a failed
 * attempt does to passive health is upstream-failure.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UpstreamAnswer } from './upstream-answer.js';
import { randomUUID } from 'node:crypto';
import { engineClientOptions } from '../discovery/index.js';
import type { AppError } from '../shared/index.js';
import { admitRequest, headerString, type Admitted } from './admit-request.js';
import { chooseEndpoint } from './choose-endpoint.js';
import type { InferenceDeps } from './inference-deps.js';
import type { GatewayEndpoint } from './endpoint-catalog.js';
import { modelLabel, strategyLabel } from './metric-labels.js';
import type { RequestIntake } from './intake-limits.js';
import { errorResponse, openAiError } from './openai-error.js';
import { upstreamErrorReply } from './upstream-error.js';
import type { ApiKind } from './parse-request.js';
import { relay } from './relay.js';
import { replyAndLinger } from './reply-and-linger.js';
import { RequestCancel } from './request-cancel.js';
import { MAX_ERROR_TEXT_BYTES, screenUpstreamAnswer } from './screen-upstream-answer.js';
import { callUpstream } from './upstream.js';
import { bodyWithKvHint } from './kv-hint-body.js';
import { recordUpstreamFailure } from './upstream-failure.js';

/** The outcome of one upstream attempt. */
type Attempt = { readonly kind: 'done' } | { readonly kind: 'retry'; readonly error: AppError };

class InferenceExchange {
  readonly #kind: ApiKind;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #deps: InferenceDeps;
  readonly #started = performance.now();
  readonly #requestId: string;
  readonly #cancel: RequestCancel;
  readonly #intake: RequestIntake;
  #model = 'unknown';
  #strategy: string;

  constructor(
    kind: ApiKind,
    req: IncomingMessage,
    res: ServerResponse,
    deps: InferenceDeps,
    intake: RequestIntake,
  ) {
    this.#kind = kind;
    this.#req = req;
    this.#res = res;
    this.#deps = deps;
    this.#intake = intake;
    this.#strategy = deps.defaultStrategy;
    this.#requestId = headerString(req.headers['x-request-id'])?.slice(0, 128) ?? randomUUID();
    this.#cancel = new RequestCancel(res);
  }

  async run(): Promise<void> {
    const outcome = await admitRequest(
      this.#kind,
      this.#req,
      this.#deps,
      this.#requestId,
      this.#cancel,
      this.#intake,
    );
    this.#strategy = outcome.strategy;
    if (!outcome.ok) {
      this.#model = outcome.model;
      this.#reply(outcome.status, outcome.body, outcome.headers);
      return;
    }
    const { admitted } = outcome;
    this.#model = admitted.parsed.model;
    const tried = new Set<string>();
    let lastError: AppError | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      let endpoint: GatewayEndpoint | undefined;
      try {
        endpoint = chooseEndpoint(admitted, this.#kind, tried, this.#deps);
      } catch (err) {
        this.#count(500);
        await admitted.ticket.settle(undefined);
        throw err;
      }
      if (endpoint === undefined) break;
      tried.add(endpoint.id);
      if (attempt > 0) this.#deps.metrics.retries.inc();
      // The pick's KV load hint is read now, before another request's pick replaces it.
      const hint = this.#deps.routing.prefixIndex.loadHint;
      const body = bodyWithKvHint(
        admitted.raw,
        admitted.parsed,
        hint,
        admitted.request,
        endpoint.id,
      );
      const outcome = await this.#attempt(admitted, endpoint, body, attempt === 0);
      if (outcome.kind === 'done') return;
      lastError = outcome.error;
      if (this.#cancel.cancelled) {
        this.#count(499);
        await admitted.ticket.settle(undefined);
        return;
      }
    }
    await admitted.ticket.settle(undefined);
    if (lastError === undefined) {
      const body = openAiError(
        503,
        `no ready engine for model ${admitted.parsed.model}`,
        'no_ready_endpoint',
      );
      this.#reply(503, body, { 'retry-after': String(this.#deps.retryAfterSeconds) });
      return;
    }
    const { status, body } = errorResponse(lastError);
    this.#reply(status, body);
  }

  /** One upstream attempt. 'retry' when nothing reached the client and another engine may serve. */
  async #attempt(
    admitted: Admitted,
    endpoint: GatewayEndpoint,
    body: Buffer,
    mayRetry: boolean,
  ): Promise<Attempt> {
    const deps = this.#deps;
    const current: { upstream?: UpstreamAnswer } = {};
    const done = deps.inFlight.start(endpoint.id, () => {
      // Drain deadline passed (engine taken out of service): cut this request.
      if (current.upstream === undefined) this.#cancel.cancel();
      else current.upstream.destroy();
    });
    const prefillDone = deps.inFlight.startPrefill(endpoint.id, admitted.request.promptTokens);
    deps.metrics.requestStarted();
    try {
      const dispatchedAt = performance.now();
      try {
        current.upstream = await callUpstream({
          baseUrl: endpoint.url,
          path: this.#req.url ?? '/',
          headers: {
            'content-type': 'application/json',
            'content-length': String(body.length),
            'x-request-id': this.#requestId,
          },
          body,
          pools: deps.pools,
          client: engineClientOptions(endpoint.connection),
          timeouts: deps.timeouts,
          cancel: this.#cancel,
        });
      } catch (err) {
        const error = recordUpstreamFailure(endpoint, err, this.#cancel.cancelled, deps);
        return { kind: 'retry', error };
      }
      const upstream = current.upstream;
      deps.health.recordSuccess(endpoint.id);
      const verdict = await screenUpstreamAnswer(
        upstream,
        endpoint,
        { kind: this.#kind, path: this.#req.url, mayRetry },
        deps,
      );
      if (verdict.kind === 'retry') return verdict;
      const { errorText } = verdict;
      await this.#respond(admitted, endpoint, upstream, dispatchedAt, prefillDone, errorText);
      return { kind: 'done' };
    } finally {
      prefillDone();
      done();
      deps.metrics.requestEnded();
    }
  }

  /** Relays the engine's answer (or its normalized error) and settles the admission ticket. */
  async #respond(
    admitted: Admitted,
    endpoint: GatewayEndpoint,
    upstream: UpstreamAnswer,
    dispatchedAt: number,
    prefillDone: () => void,
    /** The error body when the attempt already read it. */
    errorText?: string,
  ): Promise<void> {
    const { metrics } = this.#deps;
    const status = upstream.statusCode;
    const headers = { 'target-pod': endpoint.name, 'routing-strategy': this.#strategy };
    // Streaming or not, nothing reached the client yet: the error contract applies to both.
    if (status >= 400) {
      const text = errorText ?? (await upstream.read(MAX_ERROR_TEXT_BYTES)).toString('utf8');
      const reply = upstreamErrorReply(status, text, endpoint.name);
      this.#reply(reply.status, reply.body, headers);
      await admitted.ticket.settle(undefined);
      return;
    }
    const headersAt = performance.now();
    const relayed = relay(upstream, this.#res, {
      stream: admitted.parsed.stream,
      headers: { 'request-id': this.#requestId, ...headers },
      onFirstByte: prefillDone,
    });
    metrics.observeAddedLatency(
      (dispatchedAt - this.#started + performance.now() - headersAt) / 1000,
    );
    const result = await relayed;
    if (result.error !== undefined) metrics.upstreamErrors.inc({ kind: result.error.code });
    this.#count(
      result.outcome === 'complete' ? status : result.outcome === 'client-gone' ? 499 : 502,
    );
    if (result.outcome === 'complete' && result.usage !== undefined)
      this.#deps.onFinished?.(
        admitted.parsed.model,
        result.usage.promptTokens,
        result.usage.completionTokens,
      );
    await admitted.ticket.settle(result.usage);
  }

  #count(status: number): void {
    const { catalog, defaultStrategy, metrics } = this.#deps;
    // Labels from the request are bounded (metric-labels.ts): raw values grew a series each.
    metrics.countRequest(
      modelLabel(this.#model, (m) => catalog.knows(m)),
      String(status),
      strategyLabel(this.#strategy, defaultStrategy),
    );
  }

  #reply(status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.#count(status);
    if (!this.#res.headersSent)
      replyAndLinger(this.#req, this.#res, status, body, {
        'request-id': this.#requestId,
        ...headers,
      });
  }
}

/** Handles POST /v1/chat/completions, /v1/completions and /v1/embeddings. */
export function handleInference(
  kind: ApiKind,
  req: IncomingMessage,
  res: ServerResponse,
  deps: InferenceDeps,
  intake: RequestIntake,
): Promise<void> {
  return new InferenceExchange(kind, req, res, deps, intake).run();
}
