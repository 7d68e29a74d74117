/**
 * Reads token usage out of a response as it streams past, without holding the stream: SSE chunks
 * are scanned only when they mention "usage"; for JSON bodies the usage object is read from the
 * body's last bytes (usage-tail.ts), and only when it is not there is the whole body (kept up to
 * a bound) parsed. Feeds rate-limit settlement and fairness counters.
 */
import { USAGE_TAIL_BYTES, tailBytes, usageObjectFromTailBytes } from './usage-tail.js';

/** The token counts an engine reports in its response's usage, for metrics and fairness. */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
}

const USAGE = Buffer.from('"usage"');
const NEWLINE = 0x0a;
/** Longest partial SSE line kept between chunks. */
const MAX_TAIL_CHARS = 64 * 1024;

function usageFrom(value: unknown): TokenUsage | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const u = (value as { usage?: unknown }).usage;
  if (u === null || typeof u !== 'object') return undefined;
  const usage = u as {
    prompt_tokens?: unknown;
    completion_tokens?: unknown;
    prompt_tokens_details?: { cached_tokens?: unknown } | null;
  };
  if (typeof usage.prompt_tokens !== 'number') return undefined;
  const cached = usage.prompt_tokens_details?.cached_tokens;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0,
    cachedTokens: typeof cached === 'number' ? cached : 0,
  };
}

/**
 * Finds the usage object in a response as it streams past (SSE chunks scanned only when they
 * mention it, JSON bodies kept up to a bound), so the gateway counts tokens without holding the stream.
 */
export class UsageSniffer {
  readonly #stream: boolean;
  readonly #limitBytes: number;
  #json: Buffer[] = [];
  #jsonBytes = 0;
  /** The body's last chunks, at least `#tailLimit` bytes of them when the body is that long. */
  #recent: Buffer[] = [];
  #recentBytes = 0;
  readonly #tailLimit: number;
  #tail = '';
  #usage: TokenUsage | undefined;
  /** Number of SSE `data:` events that carried generated content (≈ output tokens when streaming). */
  chunks = 0;

  constructor(stream: boolean, limitBytes = 1024 * 1024) {
    this.#stream = stream;
    this.#limitBytes = limitBytes;
    this.#tailLimit = Math.min(USAGE_TAIL_BYTES, limitBytes);
  }

  feed(chunk: Buffer): void {
    if (!this.#stream) {
      this.#jsonBytes += chunk.length;
      if (this.#jsonBytes <= this.#limitBytes) this.#json.push(chunk);
      this.#recent.push(chunk);
      this.#recentBytes += chunk.length;
      while (this.#recentBytes - (this.#recent[0]?.length ?? 0) >= this.#tailLimit)
        this.#recentBytes -= this.#recent.shift()?.length ?? 0;
      return;
    }
    this.chunks++;
    if (this.#tail !== '') {
      this.#feedText(this.#tail + chunk.toString('utf8'));
      return;
    }
    // Most chunks do not mention usage; of one that does, only that event's line is decoded.
    let at = chunk.indexOf(USAGE);
    while (at >= 0) {
      const start = chunk.lastIndexOf(NEWLINE, at) + 1;
      const end = chunk.indexOf(NEWLINE, at);
      if (end < 0) {
        this.#tail = chunk.toString('utf8', start).slice(-MAX_TAIL_CHARS);
        return;
      }
      this.#readLine(chunk.toString('utf8', start, end));
      at = chunk.indexOf(USAGE, end);
    }
  }

  /** Text that continues a line cut by the previous chunk. */
  #feedText(text: string): void {
    const lines = text.split('\n');
    this.#tail = (lines.pop() ?? '').slice(-MAX_TAIL_CHARS);
    for (const line of lines) this.#readLine(line);
  }

  #readLine(line: string): void {
    if (!line.startsWith('data: ') || !line.includes('"usage"')) return;
    try {
      this.#usage = usageFrom(JSON.parse(line.slice(6))) ?? this.#usage;
    } catch {
      // A line that is not JSON (e.g. [DONE]) carries no usage.
    }
  }

  /** The usage seen, if any; for JSON bodies reads the tail, else parses what was kept. */
  usage(): TokenUsage | undefined {
    if (!this.#stream && this.#usage === undefined && this.#recentBytes > 0) {
      const tail = tailBytes(this.#recent, this.#tailLimit);
      this.#recent = [];
      this.#recentBytes = 0;
      const found = usageFrom({ usage: usageObjectFromTailBytes(tail) });
      if (found !== undefined) {
        this.#json = [];
        this.#usage = found;
      }
    }
    if (
      !this.#stream &&
      this.#usage === undefined &&
      this.#jsonBytes > 0 &&
      this.#jsonBytes <= this.#limitBytes
    ) {
      try {
        this.#usage = usageFrom(JSON.parse(Buffer.concat(this.#json).toString('utf8')));
      } catch {
        this.#usage = undefined;
      }
      this.#json = [];
    }
    return this.#usage;
  }
}
