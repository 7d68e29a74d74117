/**
 * The first phase of a gateway request (the API key was already checked from the headers, by
 * the server): resolve the routing strategy from the headers, read the body under its bounds,
 * parse it, resolve the model, and ask admission (rate limits). Either the request is admitted
 * with everything routing needs, or it is refused with the status and OpenAI body to send.
 * Only expected refusals (AppErrors with a status) come back as outcomes: anything else is
 * thrown, so the server logs it with its stack.
 */
import type { IncomingMessage } from 'node:http';
import { parseStrategy, type RoutingRequest, type StrategyMix } from '../routing/index.js';
import { AppError } from '../shared/index.js';
import type { AdmissionTicket } from '../traffic/index.js';
import type { ModelLookup } from './endpoint-catalog.js';
import type { InferenceDeps } from './inference-deps.js';
import type { RequestIntake } from './intake-limits.js';
import { holdForModel } from './hold-for-model.js';
import { errorResponse, openAiError } from './openai-error.js';
import { parseRequest, type ApiKind, type ParsedRequest } from './parse-request.js';
import { readRequestBody } from './read-request-body.js';

/** A request ready to route. */
export interface Admitted {
  readonly raw: Buffer;
  readonly parsed: ParsedRequest;
  readonly mix: StrategyMix;
  readonly lookup: ModelLookup;
  readonly ticket: AdmissionTicket;
  readonly request: RoutingRequest;
}

/** What intake decided: the admitted request and its strategy, or the answer to send instead. */
export type AdmitOutcome =
  | { readonly ok: true; readonly admitted: Admitted; readonly strategy: string }
  | {
      readonly ok: false;
      readonly status: number;
      readonly body: unknown;
      readonly headers: Record<string, string>;
      /** The strategy and model names for the request metric, as far as they were learnt. */
      readonly strategy: string;
      readonly model: string;
    };

const mixCache = new Map<string, ReturnType<typeof parseStrategy>>();

/** The strategy a request names (or the default), parsed once per distinct spelling (bounded). */
function strategyFor(
  header: string | string[] | undefined,
  fallback: string,
): { name: string; parsed: ReturnType<typeof parseStrategy> } {
  const name = typeof header === 'string' && header.trim() !== '' ? header.trim() : fallback;
  let parsed = mixCache.get(name);
  if (parsed === undefined) {
    parsed = parseStrategy(name);
    if (mixCache.size > 256) mixCache.clear();
    mixCache.set(name, parsed);
  }
  return { name, parsed };
}

/** A header's value when it is a non-empty string. */
export function headerString(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Reads, checks and admits one request; see the file comment for the order. */
export async function admitRequest(
  kind: ApiKind,
  req: IncomingMessage,
  deps: InferenceDeps,
  requestId: string,
  /** The request's cancellation; its AbortSignal is made only if a wait needs one. */
  cancel: { readonly signal: AbortSignal },
  intake: RequestIntake,
): Promise<AdmitOutcome> {
  const strategy = strategyFor(req.headers['routing-strategy'], deps.defaultStrategy);
  const refuse = (
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    model = 'unknown',
  ): AdmitOutcome => ({
    ok: false,
    status,
    body,
    headers,
    strategy: strategy.name,
    model,
  });
  // Answered from the headers, before the body is read.
  if (!strategy.parsed.ok) {
    return refuse(
      400,
      openAiError(400, strategy.parsed.message, 'invalid_routing_strategy', 'routing-strategy'),
    );
  }
  let raw: Buffer;
  let parsed: ParsedRequest;
  try {
    raw = await readRequestBody(req, intake.lease, {
      maxBodyBytes: deps.maxBodyBytes,
      bodyTimeoutMs: intake.bodyTimeoutMs,
    });
    parsed = parseRequest(kind, raw);
  } catch (err) {
    if (!(err instanceof AppError) || err.httpStatus === undefined) throw err;
    const { status, body } = errorResponse(err);
    const headers: Record<string, string> = {};
    if (status === 413 || status === 408) headers.connection = 'close';
    if (status === 503) headers['retry-after'] = String(deps.retryAfterSeconds);
    return refuse(status, body, headers);
  }
  // A model that is expected but not ready yet (scale from zero, adapter loading) waits here,
  // bounded, instead of a 404 or a 503 now.
  const held = await holdForModel(
    deps.hold,
    parsed.model,
    cancel,
    deps.clock,
    deps.retryAfterSeconds,
  );
  if (held !== undefined) return refuse(held.status, held.body, held.headers, parsed.model);
  const lookup = deps.catalog.lookup(parsed.model);
  if (!lookup.known && deps.hold?.expects(parsed.model) === true) {
    // Declared but without an engine now (e.g. it went away again after the hold): not a 404.
    return refuse(
      503,
      openAiError(503, `no ready engine for model ${parsed.model}`, 'no_ready_endpoint'),
      { 'retry-after': String(deps.retryAfterSeconds) },
      parsed.model,
    );
  }
  if (!lookup.known) {
    return refuse(
      404,
      openAiError(404, `The model \`${parsed.model}\` does not exist.`, 'model_not_found', 'model'),
    );
  }
  const admission = await deps.admission.admit(
    {
      user: headerString(req.headers.user) ?? parsed.user,
      authorization: req.headers.authorization,
      model: parsed.model,
      promptTokens: parsed.promptTokens,
      maxTokens: parsed.maxTokens,
    },
    cancel,
  );
  if (!admission.ok) {
    const retry: Record<string, string> =
      admission.retryAfterSeconds === undefined
        ? {}
        : { 'retry-after': String(admission.retryAfterSeconds) };
    return refuse(
      admission.status,
      openAiError(admission.status, admission.message, admission.code),
      retry,
      parsed.model,
    );
  }
  const request: RoutingRequest = {
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
  return {
    ok: true,
    strategy: strategy.name,
    admitted: { raw, parsed, mix: strategy.parsed.mix, lookup, ticket: admission.ticket, request },
  };
}
