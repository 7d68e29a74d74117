/**
 * Turns a stream of text chunks into whole lines, holding back the unfinished tail. Bounded: a
 * tail longer than `maxLineChars` is dropped (and counted) so a log with no newlines cannot grow
 * memory without limit. Pure.
 */
export class LineSplitter {
  readonly #maxLineChars: number;
  #tail = '';
  #droppedLines = 0;

  /** `maxLineChars`: longest line kept, characters. Default 16384 (kmsg records are ≤ 8 KiB). */
  constructor(maxLineChars = 16_384) {
    this.#maxLineChars = maxLineChars;
  }

  /** Lines completed by `chunk`, without their `\n` / `\r\n`. */
  push(chunk: string): string[] {
    const text = this.#tail + chunk;
    const parts = text.split('\n');
    this.#tail = parts.pop() ?? '';
    if (this.#tail.length > this.#maxLineChars) {
      this.#tail = '';
      this.#droppedLines += 1;
    }
    return parts.map((p) => (p.endsWith('\r') ? p.slice(0, -1) : p));
  }

  /** Forgets the unfinished tail (after truncation or rotation of the file). */
  reset(): void {
    this.#tail = '';
  }

  /** Lines dropped for being longer than the bound, since construction. */
  get droppedLines(): number {
    return this.#droppedLines;
  }
}

/** Keeps the newest `max` lines; returns them and how many older ones were dropped. */
export function keepNewest(lines: string[], max: number): { lines: string[]; dropped: number } {
  return lines.length <= max
    ? { lines, dropped: 0 }
    : { lines: lines.slice(lines.length - max), dropped: lines.length - max };
}
