/**
 * Splits streamed text (an SSE body) into lines as chunks arrive, with a bound on an unfinished
 * line so a peer that never sends a newline cannot grow memory without limit.
 */
export class LineSplitter {
  #pending = '';
  readonly #onLine: (line: string) => void;
  readonly #maxLineChars: number;

  constructor(onLine: (line: string) => void, maxLineChars: number) {
    this.#onLine = onLine;
    this.#maxLineChars = maxLineChars;
  }

  /** Hands every completed line to `onLine`; false when the unfinished rest is over the bound. */
  push(text: string): boolean {
    this.#pending += text;
    let nl = this.#pending.indexOf('\n');
    while (nl >= 0) {
      this.#onLine(this.#pending.slice(0, nl));
      this.#pending = this.#pending.slice(nl + 1);
      nl = this.#pending.indexOf('\n');
    }
    return this.#pending.length <= this.#maxLineChars;
  }

  /** Hands over the last line when the body ended without a newline. */
  end(): void {
    if (this.#pending !== '') this.#onLine(this.#pending);
    this.#pending = '';
  }
}
