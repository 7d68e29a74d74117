/**
 * Routes one simulator request: method and path checks, the readiness and drain gates, the
 * body (bounded, JSON), the error and hang faults, then the endpoint handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, exceedsJsonDepth, readBody, sendJson, toError } from '../shared/index.js';
import {
  handleFaults,
  handleHealth,
  handleLoadLora,
  handleMetrics,
  handleModels,
  handleResetPrefixCache,
  handleUnloadLora,
  handleVersion,
  handleWeights,
} from './control-routes.js';
import {
  handleEmbeddings,
  handleGeneration,
  handleTokenize,
  holdForever,
  isInferencePath,
} from './inference-routes.js';
import { vllmError, type VllmError } from './openai-shapes.js';
import { sendError, type SimContext } from './sim-context.js';
import { SIM_MAX_BODY_BYTES, SIM_MAX_JSON_DEPTH } from './sim-options.js';

const POST_PATHS = new Set([
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/embeddings',
  '/tokenize',
  '/v1/load_lora_adapter',
  '/v1/unload_lora_adapter',
  '/reset_prefix_cache',
]);
const GET_PATHS = new Set(['/health', '/version', '/metrics', '/v1/models', '/admin/weights']);
/** Paths answered even during slow start and shutdown. */
const ALWAYS_PATHS = new Set(['/version', '/metrics', '/admin/faults', '/admin/weights']);

/** Answers one request; rejects only on unexpected failures (the caller answers 500). */
export async function dispatch(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const method = req.method ?? 'GET';
  const isPost = POST_PATHS.has(path);
  if (!isPost && !GET_PATHS.has(path) && path !== '/admin/faults') {
    req.resume();
    sendJson(res, 404, { detail: 'Not Found' });
    return;
  }
  const allowed =
    path === '/admin/faults'
      ? method === 'GET' || method === 'POST'
      : method === (isPost ? 'POST' : 'GET');
  if (!allowed) {
    req.resume();
    sendJson(res, 405, { detail: 'Method Not Allowed' });
    return;
  }
  if (!ALWAYS_PATHS.has(path) && path !== '/health') {
    if (ctx.isDraining) {
      req.resume();
      sendError(res, vllmError(503, 'ServiceUnavailableError', 'The server is shutting down.'), {
        connection: 'close',
      });
      return;
    }
    const waitMs = ctx.faults.notReadyForMs();
    if (waitMs > 0) {
      req.resume();
      sendError(res, vllmError(503, 'ServiceUnavailableError', 'The engine is still loading.'), {
        'retry-after': String(Math.ceil(waitMs / 1000)),
      });
      return;
    }
  }
  if (path === '/reset_prefix_cache') {
    req.resume();
    return handleResetPrefixCache(ctx, res);
  }
  let body: unknown;
  if (method === 'POST') {
    const parsed = await readJson(req);
    if (parsed.error !== undefined) {
      // After a 413 the rest of the body is unread: the connection cannot be reused.
      sendError(res, parsed.error, parsed.error.status === 413 ? { connection: 'close' } : {});
      return;
    }
    body = parsed.body;
  }
  if (isInferencePath(path)) {
    if (ctx.faults.drawHang()) {
      holdForever(ctx, req, res);
      return;
    }
    if (ctx.faults.drawError()) {
      sendError(
        res,
        vllmError(500, 'InternalServerError', 'Simulated engine failure (fault injection).'),
      );
      return;
    }
  }
  switch (path) {
    case '/health':
      return handleHealth(ctx, res);
    case '/version':
      return handleVersion(res);
    case '/metrics':
      return handleMetrics(ctx, res);
    case '/v1/models':
      return handleModels(ctx, res);
    case '/admin/weights':
      return handleWeights(ctx, res);
    case '/v1/chat/completions':
      return handleGeneration(ctx, 'chat', body, res);
    case '/v1/completions':
      return handleGeneration(ctx, 'completion', body, res);
    case '/v1/embeddings':
      return handleEmbeddings(ctx, body, res);
    case '/tokenize':
      return handleTokenize(ctx, body, res);
    case '/v1/load_lora_adapter':
      return handleLoadLora(ctx, body, res);
    case '/v1/unload_lora_adapter':
      return handleUnloadLora(ctx, body, res);
    default:
      return handleFaults(ctx, method, body, res);
  }
}

async function readJson(
  req: IncomingMessage,
): Promise<{ body: unknown; error?: undefined } | { error: VllmError }> {
  let raw: Buffer;
  try {
    raw = await readBody(req, SIM_MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof AppError && err.httpStatus === 413)
      return { error: vllmError(413, 'RequestEntityTooLarge', err.message) };
    return { error: vllmError(400, 'BadRequestError', toError(err).message) };
  }
  // Refused before parsing: walking a body nested thousands deep overflows the stack.
  if (exceedsJsonDepth(raw, SIM_MAX_JSON_DEPTH)) {
    return {
      error: vllmError(
        400,
        'BadRequestError',
        `JSON nests deeper than ${SIM_MAX_JSON_DEPTH} levels`,
      ),
    };
  }
  try {
    return { body: raw.length === 0 ? undefined : (JSON.parse(raw.toString('utf8')) as unknown) };
  } catch (err) {
    return {
      error: vllmError(400, 'BadRequestError', `JSON decode error: ${toError(err).message}`),
    };
  }
}
