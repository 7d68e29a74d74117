/**
 * Server-Sent Events framing, parsed by hand because the page reads the stream with fetch (so it
 * can send an Authorization header, which EventSource cannot). Pure: text in, events out.
 */

/** One dispatched event: its `event:` name (default "message") and its joined `data:` lines. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * Incremental parser: feed it decoded text as it arrives. A partial line waits for the next chunk;
 * comment lines (`:` keep-alives) and unknown fields are ignored. The pending text is bounded so a
 * stream that never ends a line cannot take the tab's memory.
 */
export class SseParser {
  private pending = '';
  private event = '';
  private data: string[] = [];

  private readonly maxPendingChars: number;

  /** @param maxPendingChars the longest unfinished event accepted before `push` throws. */
  constructor(maxPendingChars = 64 * 1024 * 1024) {
    this.maxPendingChars = maxPendingChars;
  }

  /** Parses `chunk` and returns the events it completed, in order. */
  push(chunk: string): SseEvent[] {
    this.pending += chunk;
    const out: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const nl = this.pending.slice(start).search(/\r\n|\r|\n/);
      if (nl < 0) break;
      const end = start + nl;
      const line = this.pending.slice(start, end);
      const sepLength = this.pending.startsWith('\r\n', end) ? 2 : 1;
      // A lone \r at the very end may be the first half of \r\n: wait for the next chunk.
      if (this.pending[end] === '\r' && end + 1 === this.pending.length) break;
      start = end + sepLength;
      const done = this.line(line);
      if (done !== undefined) out.push(done);
    }
    this.pending = this.pending.slice(start);
    const held = this.pending.length + this.data.reduce((n, d) => n + d.length, 0);
    if (held > this.maxPendingChars) {
      this.reset();
      throw new Error(`event stream: an event longer than ${this.maxPendingChars} characters`);
    }
    return out;
  }

  /** Forgets any half-read event (after a reconnect). */
  reset(): void {
    this.pending = '';
    this.event = '';
    this.data = [];
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      const done =
        this.data.length > 0
          ? { event: this.event || 'message', data: this.data.join('\n') }
          : undefined;
      this.event = '';
      this.data = [];
      return done;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    return undefined;
  }
}
