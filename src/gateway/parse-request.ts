/**
 * Parses and checks an OpenAI request body just enough to route it: model, streaming, the prompt
 * text (as the stand-in chat template renders it) and the output budget. The original bytes are
 * forwarded untouched.
 */
import { countTokens, renderChatPrompt, type ChatMessageLike } from '../engine/index.js';
import { AppError, exceedsJsonDepth } from '../shared/index.js';

/** The OpenAI endpoints the gateway serves. */
export type ApiKind = 'chat' | 'completions' | 'embeddings';

/**
 * What the gateway reads from a request body: the API, the model, streaming, and the prompt
 * routing scores.
 */
export interface ParsedRequest {
  readonly kind: ApiKind;
  readonly model: string;
  readonly stream: boolean;
  /** `stream_options.include_usage` was set. */
  readonly includeUsage: boolean;
  readonly promptText: string;
  readonly promptTokens: number;
  readonly maxTokens: number | undefined;
  /** The body's `user` field (the `user` header wins over it). */
  readonly user: string | undefined;
  /** The client set its own `kv_transfer_params` (the gateway then adds no KV load hint). */
  readonly hasKvTransferParams: boolean;
}

/**
 * Deepest nesting of arrays and objects a body may have. OpenAI bodies nest about 6 levels
 * (messages → content parts → image_url) and tool parameter schemas a few more; 64 leaves room
 * for any real schema while keeping every later walk of the body far from the stack limit.
 */
export const MAX_REQUEST_JSON_DEPTH = 64;

const bad = (message: string, param: string | null = null): AppError =>
  new AppError('GW_BAD_REQUEST', message, { httpStatus: 400, detail: { param } });

function promptOf(kind: ApiKind, body: Record<string, unknown>): string {
  if (kind === 'chat') {
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0)
      throw bad('messages must be a non-empty array', 'messages');
    for (const m of messages) {
      if (
        m === null ||
        typeof m !== 'object' ||
        typeof (m as { role?: unknown }).role !== 'string'
      ) {
        throw bad('each message needs a role', 'messages');
      }
    }
    return renderChatPrompt(messages as ChatMessageLike[]);
  }
  const field = kind === 'completions' ? 'prompt' : 'input';
  const value = body[field];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length > 0)
    return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n');
  throw bad(`${field} is required`, field);
}

/**
 * Parses a request body. Throws GW_BAD_REQUEST (400) with the offending field, or
 * GW_BODY_TOO_DEEP (400) when it nests deeper than MAX_REQUEST_JSON_DEPTH.
 */
export function parseRequest(kind: ApiKind, raw: Buffer): ParsedRequest {
  if (exceedsJsonDepth(raw, MAX_REQUEST_JSON_DEPTH)) {
    throw new AppError(
      'GW_BODY_TOO_DEEP',
      `request body nests deeper than ${MAX_REQUEST_JSON_DEPTH} levels`,
      { httpStatus: 400 },
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw bad('request body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw bad('request body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '') throw bad('model is required', 'model');
  const stream = b.stream === true;
  if (b.stream !== undefined && typeof b.stream !== 'boolean')
    throw bad('stream must be a boolean', 'stream');
  const maxRaw = b.max_tokens ?? b.max_completion_tokens;
  if (
    maxRaw !== undefined &&
    maxRaw !== null &&
    (!Number.isInteger(maxRaw) || (maxRaw as number) < 1)
  ) {
    throw bad('max_tokens must be a positive integer', 'max_tokens');
  }
  const promptText = promptOf(kind, b);
  const options = b.stream_options as { include_usage?: unknown } | undefined;
  return {
    kind,
    model: b.model,
    stream,
    includeUsage: options?.include_usage === true,
    promptText,
    promptTokens: countTokens(promptText),
    maxTokens: typeof maxRaw === 'number' ? maxRaw : undefined,
    user: typeof b.user === 'string' ? b.user : undefined,
    hasKvTransferParams: b.kv_transfer_params !== undefined,
  };
}
