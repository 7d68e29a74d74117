/**
 * vLLM's OpenAI-server response shapes (v0.10.1+ / v0.11): errors, model cards, usage, and the
 * per-request templates that make a streamed token cost one string concatenation.
 */
import { randomBytes } from 'node:crypto';

/** vLLM's error `type` strings. */
export type VllmErrorType =
  | 'BadRequestError'
  | 'NotFoundError'
  | 'InternalServerError'
  | 'ServiceUnavailableError'
  | 'RequestEntityTooLarge'
  | 'InvalidUserInput';

/** An error reply: HTTP status and vLLM's body `{"error":{message,type,param,code}}`. */
export interface VllmError {
  readonly status: number;
  readonly body: {
    readonly error: {
      readonly message: string;
      readonly type: VllmErrorType;
      readonly param: string | null;
      readonly code: number;
    };
  };
}

/**
 * Builds a vLLM error. Since v0.10.1 (vllm PR #22099) the body nests under `error`; before it
 * was flat (`{"object":"error",…}`). `code` is the HTTP status as a number, as vLLM sends it.
 */
export function vllmError(
  status: number,
  type: VllmErrorType,
  message: string,
  param: string | null = null,
): VllmError {
  return { status, body: { error: { message, type, param, code: status } } };
}

/** vLLM's random_uuid: 16 hex digits. */
export function randomId(): string {
  return randomBytes(8).toString('hex');
}

/** `usage` with `prompt_tokens_details.cached_tokens` (as with --enable-prompt-tokens-details). */
export function usageOf(promptTokens: number, completionTokens: number, cachedTokens: number) {
  return {
    prompt_tokens: promptTokens,
    total_tokens: promptTokens + completionTokens,
    completion_tokens: completionTokens,
    prompt_tokens_details: { cached_tokens: cachedTokens },
  };
}

/** One entry of `GET /v1/models`, vLLM's ModelCard. */
export function modelCard(
  id: string,
  root: string,
  parent: string | null,
  maxModelLen: number | null,
  createdS: number,
): Record<string, unknown> {
  return {
    id,
    object: 'model',
    created: createdS,
    owned_by: 'vllm',
    root,
    parent,
    max_model_len: maxModelLen,
    permission: [
      {
        id: `modelperm-${randomId()}`,
        object: 'model_permission',
        created: createdS,
        allow_create_engine: false,
        allow_sampling: true,
        allow_logprobs: true,
        allow_search_indices: false,
        allow_view: true,
        allow_fine_tuning: false,
        organization: '*',
        group: null,
        is_blocking: false,
      },
    ],
  };
}

/** Which OpenAI endpoint a generation request came through. */
export type GenerationApi = 'chat' | 'completion';

/** Per-request strings around each streamed token: chunk = head + JSON text + tail. */
export interface ChunkTemplate {
  readonly id: string;
  readonly created: number;
  /** `data: {…` up to the token text. */
  readonly head: string;
  /** From after the token text to the end of a non-final chunk. */
  readonly tail: string;
  /** Builds the last token's chunk, which carries `finish_reason`. */
  final(textJson: string, finishReason: string): string;
  /** The usage chunk (`choices: []`) sent when stream_options.include_usage is set. */
  usage(usage: unknown): string;
  /** The role chunk chat streams start with (empty for completions). */
  readonly opening: string;
}

/** Builds the streaming templates for one request. */
export function chunkTemplate(api: GenerationApi, model: string): ChunkTemplate {
  const id = api === 'chat' ? `chatcmpl-${randomId()}` : `cmpl-${randomId()}`;
  const created = Math.floor(Date.now() / 1000);
  const object = api === 'chat' ? 'chat.completion.chunk' : 'text_completion';
  const prefix = `data: {"id":"${id}","object":"${object}","created":${created},"model":${JSON.stringify(model)}`;
  const head =
    api === 'chat'
      ? `${prefix},"choices":[{"index":0,"delta":{"content":`
      : `${prefix},"choices":[{"index":0,"text":`;
  const close = api === 'chat' ? '}' : '';
  // vLLM sets stop_reason explicitly on every completion chunk, on chat chunks only at the end.
  const stopReason = api === 'chat' ? '' : ',"stop_reason":null';
  const tail = `${close},"logprobs":null,"finish_reason":null${stopReason}}]}\n\n`;
  return {
    id,
    created,
    head,
    tail,
    final: (textJson, reason) =>
      `${head}${textJson}${close},"logprobs":null,"finish_reason":"${reason}","stop_reason":null}]}\n\n`,
    usage: (usage) => `${prefix},"choices":[],"usage":${JSON.stringify(usage)}}\n\n`,
    opening:
      api === 'chat'
        ? `${prefix},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n`
        : '',
  };
}

/** The non-streaming body of a finished generation. */
export function completionBody(
  api: GenerationApi,
  t: ChunkTemplate,
  model: string,
  text: string,
  finishReason: string,
  usage: unknown,
): Record<string, unknown> {
  const choice =
    api === 'chat'
      ? {
          index: 0,
          message: {
            role: 'assistant',
            content: text,
            refusal: null,
            annotations: null,
            audio: null,
            function_call: null,
            tool_calls: [],
            reasoning_content: null,
          },
          logprobs: null,
          finish_reason: finishReason,
          stop_reason: null,
        }
      : {
          index: 0,
          text,
          logprobs: null,
          finish_reason: finishReason,
          stop_reason: null,
          prompt_logprobs: null,
        };
  return {
    id: t.id,
    object: api === 'chat' ? 'chat.completion' : 'text_completion',
    created: t.created,
    model,
    choices: [choice],
    service_tier: null,
    system_fingerprint: null,
    usage,
    prompt_logprobs: null,
    kv_transfer_params: null,
  };
}
