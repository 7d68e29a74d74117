/**
 * The simulator's inference endpoints: chat and text completions (through the engine loop),
 * embeddings and tokenize (answered directly: they do not occupy the simulated GPU).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hashBlocks } from '../kvcache/index.js';
import { sendJson } from '../shared/index.js';
import type { CoreRequest } from './core-types.js';
import type { TokenSink } from './engine-loop.js';
import { GenerationSink } from './generation-sink.js';
import { randomId, vllmError, type GenerationApi, type VllmError } from './openai-shapes.js';
import { parseGeneration, promptOf } from './request-parse.js';
import { resolveModel, sendError, type SimContext } from './sim-context.js';
import { SIM_BLOCK_SIZE_TOKENS } from './sim-options.js';
import { embeddingVector, promptSeed } from './text.js';
import { tokenize } from '../engine/index.js';

/** Embedding width, floats (Llama-3.1-8B's hidden size). */
export const SIM_EMBEDDING_DIMENSIONS = 4096;

const isError = (v: unknown): v is VllmError =>
  typeof v === 'object' && v !== null && 'status' in v && 'body' in v;

/** POST /v1/chat/completions and /v1/completions. */
export function handleGeneration(
  ctx: SimContext,
  api: GenerationApi,
  body: unknown,
  res: ServerResponse,
): void {
  const gen = parseGeneration(api, body, (m) => resolveModel(ctx, m), ctx.options.maxModelLen);
  if (isError(gen)) {
    sendError(res, gen);
    return;
  }
  const blockHashes = hashBlocks(gen.promptTokens, SIM_BLOCK_SIZE_TOKENS, gen.resolved.hashSeed);
  let coreReq: CoreRequest<TokenSink> | null = null;
  const sink = new GenerationSink(res, gen, {
    dropAfterChunks: gen.stream ? ctx.faults.get().dropAfterChunks : 0,
    onGone: () => {
      if (coreReq === null || coreReq.state === 'finished') return;
      ctx.loop.abort(coreReq);
      ctx.metrics.onFinished(coreReq);
    },
  });
  const spec = {
    promptLength: gen.promptTokens.length,
    blockHashes,
    maxTokens: gen.maxTokens,
    eosAfterTokens: gen.eosAfterTokens,
    lora: gen.resolved.lora,
    promptTokens: gen.promptTokens,
    // The sim seeds an adapter's blocks by its int id: that id is vLLM's lora_int_id.
    loraId: gen.resolved.lora === null ? null : gen.resolved.hashSeed,
    ...(gen.l1Absent === undefined ? {} : { l1Absent: gen.l1Absent }),
  };
  const submit = (arrivalS?: number): void => {
    coreReq = ctx.loop.submit(spec, sink, arrivalS);
    if (coreReq === null) {
      sendError(
        res,
        vllmError(503, 'ServiceUnavailableError', 'The waiting queue is full; retry later.'),
        { 'retry-after': '1' },
      );
    }
  };
  const connector = ctx.kvConnector;
  if (connector === null) {
    submit();
    return;
  }
  // The request queues at once, held while its prefix loads (at most what the load saves: see
  // kv-connector.ts); requests behind it go on.
  submit();
  const queued = coreReq as CoreRequest<TokenSink> | null;
  if (queued === null) return;
  ctx.loop.holdForRemoteKv(queued);
  const hold = {
    isQueued: () => queued.state === 'waiting',
    release: () => ctx.loop.releaseRemoteKv(queued),
    hold: () => ctx.loop.holdForRemoteKv(queued),
    landed: () => ctx.loop.wake(),
  };
  void connector
    .loadPrefix(spec, hold)
    .catch((err: unknown) => ctx.log.error({ err }, 'kv connector: load hook failed'));
}

/** POST /v1/embeddings: deterministic unit vectors, float or base64 (the openai SDK's default). */
export function handleEmbeddings(ctx: SimContext, body: unknown, res: ServerResponse): void {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const model = typeof b.model === 'string' ? b.model : undefined;
  const resolved = resolveModel(ctx, model);
  if (resolved === null) {
    sendError(
      res,
      vllmError(404, 'NotFoundError', `The model \`${String(model)}\` does not exist.`),
    );
    return;
  }
  const raw = b.input;
  const inputs: unknown[] =
    Array.isArray(raw) && raw.length > 0 && typeof raw[0] !== 'number' ? raw : [raw];
  const tokenLists: Uint32Array[] = [];
  for (const input of inputs) {
    if (typeof input === 'string') tokenLists.push(tokenize(input));
    else if (Array.isArray(input) && input.every((t) => Number.isInteger(t) && (t as number) >= 0))
      tokenLists.push(Uint32Array.from(input as number[]));
    else {
      sendError(
        res,
        vllmError(
          400,
          'BadRequestError',
          'input: expected a string, a list of strings or token ids',
          'input',
        ),
      );
      return;
    }
  }
  const base64 = b.encoding_format === 'base64';
  let promptTokens = 0;
  const data = tokenLists.map((tokens, index) => {
    promptTokens += tokens.length;
    const v = embeddingVector(promptSeed(tokens), SIM_EMBEDDING_DIMENSIONS);
    const embedding = base64 ? Buffer.from(v.buffer).toString('base64') : Array.from(v);
    return { index, object: 'embedding', embedding };
  });
  sendJson(res, 200, {
    id: `embd-${randomId()}`,
    object: 'list',
    created: Math.floor(Date.now() / 1000),
    model: resolved.name,
    data,
    usage: {
      prompt_tokens: promptTokens,
      total_tokens: promptTokens,
      completion_tokens: 0,
      prompt_tokens_details: null,
    },
  });
}

/** POST /tokenize: vLLM's {count, max_model_len, tokens, token_strs}. */
export function handleTokenize(ctx: SimContext, body: unknown, res: ServerResponse): void {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const model = typeof b.model === 'string' ? b.model : undefined;
  if (resolveModel(ctx, model) === null) {
    sendError(
      res,
      vllmError(404, 'NotFoundError', `The model \`${String(model)}\` does not exist.`),
    );
    return;
  }
  const tokens = promptOf(b.messages !== undefined ? 'chat' : 'completion', b);
  if (!(tokens instanceof Uint32Array)) {
    sendError(res, tokens);
    return;
  }
  sendJson(res, 200, {
    count: tokens.length,
    max_model_len: ctx.options.maxModelLen,
    tokens: Array.from(tokens),
    token_strs: null,
  });
}

/** Whether a request path is an inference endpoint (subject to the error and hang faults). */
export function isInferencePath(path: string): boolean {
  return path === '/v1/chat/completions' || path === '/v1/completions' || path === '/v1/embeddings';
}

/** Consumes the rest of a request we will not answer (hang fault). */
export function holdForever(ctx: SimContext, req: IncomingMessage, res: ServerResponse): void {
  ctx.hung.add(res);
  req.resume();
  res.on('close', () => ctx.hung.delete(res));
}
