/**
 * Validation of OpenAI generation and tokenize requests the way vLLM answers them: 400
 * BadRequestError for bad fields, 404 NotFoundError for an unknown model, vLLM's context-length
 * message. Pure: body in, a parsed request or a VllmError out.
 */
import { renderChatPrompt, tokenize, type ChatMessageLike } from '../engine/index.js';
import { kvHintOf, type L1Absent } from '../kvcache/index.js';
import { vllmError, type GenerationApi, type VllmError } from './openai-shapes.js';
import { naturalLength, promptSeed } from './text.js';

/** What the model name of a request resolved to. */
export interface ResolvedModel {
  /** The served name (base model or adapter). */
  readonly name: string;
  /** LoRA adapter name, or null for the base model. */
  readonly lora: string | null;
  /** Seed of the adapter's block hashes (adapters never share KV blocks with the base). */
  readonly hashSeed: number;
}

/** Resolves `model` (undefined = base); null when it is neither the base nor a loaded adapter. */
export type ModelResolver = (model: string | undefined) => ResolvedModel | null;

/** A validated generation request. */
export interface GenerationRequest {
  readonly api: GenerationApi;
  /** Model name echoed in responses. */
  readonly model: string;
  readonly resolved: ResolvedModel;
  readonly promptTokens: Uint32Array;
  readonly maxTokens: number;
  /** Output tokens before EOS; Infinity with ignore_eos. */
  readonly eosAfterTokens: number;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  /** Seed of the answer text. */
  readonly seed: number;
  /**
   * The router's KV load hint from `kv_transfer_params` (kvcache/kv-load-hint.ts): a block no
   * node's L1 holds; undefined when absent or malformed.
   */
  readonly l1Absent: L1Absent | undefined;
}

const bad = (message: string, param: string | null = null): VllmError =>
  vllmError(400, 'BadRequestError', message, param);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function optionalInt(body: Record<string, unknown>, key: string): number | undefined | VllmError {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) return bad(`${key} must be an integer`, key);
  return v;
}

function isTokenIds(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((t) => typeof t === 'number' && Number.isInteger(t) && t >= 0);
}

/** The prompt tokens of a chat or completion body, or an error. */
export function promptOf(
  api: GenerationApi,
  body: Record<string, unknown>,
): Uint32Array | VllmError {
  if (api === 'chat') {
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0)
      return bad('messages: Field required (a non-empty list of messages)', 'messages');
    if (!messages.every((m) => isObject(m) && typeof m.role === 'string'))
      return bad('messages: each message needs a string "role"', 'messages');
    return tokenize(renderChatPrompt(messages as ChatMessageLike[]));
  }
  let prompt = body.prompt;
  if (Array.isArray(prompt) && prompt.length === 1 && !isTokenIds(prompt)) prompt = prompt[0];
  if (typeof prompt === 'string') return tokenize(prompt);
  if (isTokenIds(prompt) && prompt.length > 0) return Uint32Array.from(prompt);
  if (Array.isArray(prompt) && prompt.length > 1)
    return bad('batched prompts are not supported by the simulator: send one prompt', 'prompt');
  return bad('prompt: Field required (a string or a list of token ids)', 'prompt');
}

/** Validates a chat or completion request body. */
export function parseGeneration(
  api: GenerationApi,
  body: unknown,
  resolve: ModelResolver,
  maxModelLen: number,
): GenerationRequest | VllmError {
  if (!isObject(body)) return bad('request body must be a JSON object');
  const modelField = body.model;
  if (modelField !== undefined && modelField !== null && typeof modelField !== 'string')
    return bad('model must be a string', 'model');
  const resolved = resolve(modelField ?? undefined);
  if (resolved === null)
    return vllmError(404, 'NotFoundError', `The model \`${String(modelField)}\` does not exist.`);
  const n = optionalInt(body, 'n');
  if (typeof n === 'object') return n;
  if (n !== undefined && n !== 1) return bad('n > 1 is not supported by the simulator', 'n');
  const kvParams = body.kv_transfer_params;
  // vLLM types the field as an optional dict: anything else is a validation error.
  if (kvParams !== undefined && kvParams !== null && !isObject(kvParams))
    return bad('kv_transfer_params must be an object', 'kv_transfer_params');
  const stream = body.stream === true;
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null && !stream)
    return bad('Stream options can only be defined when `stream=True`.', 'stream_options');
  const maxField =
    api === 'chat' && body.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
  const requested = optionalInt(body, maxField);
  if (typeof requested === 'object') return requested;
  if (requested !== undefined && requested < 1)
    return bad(`max_tokens must be at least 1, got ${requested}.`, maxField);
  const minTokens = optionalInt(body, 'min_tokens') ?? 0;
  if (typeof minTokens === 'object') return minTokens;
  const tokens = promptOf(api, body);
  if (!(tokens instanceof Uint32Array)) return tokens;
  const promptLen = tokens.length;
  const what = api === 'chat' ? 'messages' : 'prompt';
  if (requested === undefined && promptLen >= maxModelLen)
    return bad(
      `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${promptLen} tokens in the ${what}, Please reduce the length of the ${what}.`,
    );
  const maxTokens = requested ?? maxModelLen - promptLen;
  if (promptLen + maxTokens > maxModelLen)
    return bad(
      `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${promptLen + maxTokens} tokens (${promptLen} in the ${what}, ${maxTokens} in the completion). Please reduce the length of the ${what} or completion.`,
    );
  const seed = promptSeed(tokens);
  return {
    api,
    model: modelField ?? resolved.name,
    resolved,
    promptTokens: tokens,
    maxTokens,
    eosAfterTokens: body.ignore_eos === true ? Infinity : Math.max(naturalLength(seed), minTokens),
    stream,
    includeUsage: stream && isObject(streamOptions) && streamOptions.include_usage === true,
    seed,
    l1Absent: kvHintOf(kvParams),
  };
}
