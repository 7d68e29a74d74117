/**
 * Writes one generation's response as the engine loop produces tokens: SSE chunks (one per
 * token, vLLM's shapes, `data: [DONE]` last) or one JSON body at the end. Chunks are buffered
 * and written once per loop tick; headers go out with the first token, as vLLM's streaming
 * response only starts when the first output arrives.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../shared/index.js';
import type { CoreRequest } from './core-types.js';
import type { TokenSink } from './engine-loop.js';
import { chunkTemplate, completionBody, usageOf, type ChunkTemplate } from './openai-shapes.js';
import type { GenerationRequest } from './request-parse.js';
import { answerText, tokenJson } from './text.js';

/** Options of one sink. */
export interface GenerationSinkOptions {
  /** Destroy the socket after this many token chunks (fault); 0 = never. */
  readonly dropAfterChunks: number;
  /** Called once when the client goes away (or the fault drops it) before the end. */
  readonly onGone: () => void;
}

/** A TokenSink bound to one HTTP response. */
export class GenerationSink implements TokenSink {
  readonly #res: ServerResponse;
  readonly #gen: GenerationRequest;
  readonly #t: ChunkTemplate;
  readonly #options: GenerationSinkOptions;
  #buf = '';
  #chunks = 0;
  #ended = false;
  #done = false;
  #drop = false;

  constructor(res: ServerResponse, gen: GenerationRequest, options: GenerationSinkOptions) {
    this.#res = res;
    this.#gen = gen;
    this.#options = options;
    this.#t = chunkTemplate(gen.api, gen.model);
    res.on('close', () => {
      if (this.#done) return;
      this.#done = true;
      options.onGone();
    });
  }

  /** True once the response is complete or abandoned. */
  get isDone(): boolean {
    return this.#done;
  }

  onToken(req: CoreRequest<TokenSink>): void {
    if (this.#done || this.#drop || !this.#gen.stream) return;
    const i = req.numOutputTokens;
    const t = this.#t;
    if (i === 1) this.#buf += t.opening;
    const reason = req.finishReason;
    // The EOS token carries no text: vLLM's last chunk is then an empty delta with "stop".
    const json = reason === 'stop' ? '""' : tokenJson(this.#gen.seed, i);
    this.#buf += reason === null ? t.head + json + t.tail : t.final(json, reason);
    this.#chunks++;
    const dropAt = this.#options.dropAfterChunks;
    if (dropAt > 0 && this.#chunks >= dropAt) this.#drop = true;
  }

  onFinish(req: CoreRequest<TokenSink>): void {
    if (this.#done || this.#drop) return;
    const reason = req.finishReason ?? 'abort';
    const usage = usageOf(
      req.spec.promptLength,
      req.numOutputTokens,
      Math.max(0, req.numCachedTokens),
    );
    if (this.#gen.stream) {
      if (this.#gen.includeUsage) this.#buf += this.#t.usage(usage);
      this.#buf += 'data: [DONE]\n\n';
      this.#ended = true;
      return;
    }
    const textTokens = req.numOutputTokens - (reason === 'stop' ? 1 : 0);
    const text = answerText(this.#gen.seed, textTokens);
    this.#done = true;
    sendJson(
      this.#res,
      200,
      completionBody(this.#gen.api, this.#t, this.#gen.model, text, reason, usage),
    );
  }

  flush(): void {
    if (this.#done || this.#buf === '') return;
    const res = this.#res;
    if (!res.headersSent) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
      });
    }
    const buf = this.#buf;
    this.#buf = '';
    if (this.#drop) {
      this.#done = true;
      this.#options.onGone();
      res.write(buf, () => res.socket?.destroy());
      return;
    }
    if (this.#ended) {
      this.#done = true;
      res.end(buf);
      return;
    }
    res.write(buf);
  }
}
