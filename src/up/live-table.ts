/**
 * `infernode up`'s live engine table: on a terminal, the engines' state, running and waiting
 * requests and KV use, redrawn in place under the startup text; log lines that arrive meanwhile
 * (a child restarted) print above it, and the table is drawn again below them. Not on a terminal,
 * `infernode up` prints what it always did and this is not used.
 */

/** One engine row, from the leader's `/v1/cluster`. */
export interface LiveEngine {
  readonly id: string;
  readonly model: string;
  readonly ready: boolean;
  readonly stale: boolean;
  readonly agentSaysDown: boolean;
  readonly gpuFailed: boolean;
  readonly draining?: boolean;
  readonly running?: number;
  readonly waiting?: number;
  readonly kvCacheUsageRatio?: number;
}

/** Where the table writes: process.stdout on a terminal, anything with `write` in tests. */
export interface TableSink {
  write(chunk: string): unknown;
}

function state(e: LiveEngine): string {
  if (e.gpuFailed) return 'gpu-failed';
  if (e.agentSaysDown) return 'down';
  if (e.draining === true) return 'draining';
  if (!e.ready) return 'not-ready';
  return e.stale ? 'stale' : 'ok';
}

/** The table's lines: a header, one row per engine, a line saying when and how to stop. */
export function renderEngineTable(
  engines: readonly LiveEngine[] | undefined,
  at: Date,
  problem?: string,
): string[] {
  const lines = [
    `  ${'ENGINE'.padEnd(28)} ${'MODEL'.padEnd(24)} ${'STATE'.padEnd(10)}  RUN  WAIT  KV`,
  ];
  for (const e of engines ?? []) {
    const kv =
      e.kvCacheUsageRatio === undefined ? '-' : `${Math.round(e.kvCacheUsageRatio * 100)}%`;
    lines.push(
      `  ${e.id.padEnd(28)} ${e.model.padEnd(24)} ${state(e).padEnd(10)} ${String(e.running ?? '-').padStart(4)}  ${String(e.waiting ?? '-').padStart(4)}  ${kv}`,
    );
  }
  lines.push(
    `  ${problem ?? `as of ${at.toISOString().slice(11, 19)} UTC`}   Ctrl-C stops everything.`,
  );
  return lines;
}

// ANSI: move the cursor up n lines to the start of the line; clear from the cursor to the end.
const up = (n: number): string => (n > 0 ? `\x1b[${n}F` : '');
const CLEAR_DOWN = '\x1b[J';

/** The table at the bottom of the output, replaced on each update. */
export class LiveTable {
  readonly #sink: TableSink;
  #lines: readonly string[] = [];

  constructor(sink: TableSink) {
    this.#sink = sink;
  }

  /** Replaces the table with `lines`. */
  update(lines: readonly string[]): void {
    this.#sink.write(
      `${up(this.#lines.length)}${CLEAR_DOWN}${lines.map((l) => `${l}\n`).join('')}`,
    );
    this.#lines = lines;
  }

  /** Prints a log line above the table and draws the table again under it. */
  print(line: string): void {
    const table = this.#lines.map((l) => `${l}\n`).join('');
    this.#sink.write(`${up(this.#lines.length)}${CLEAR_DOWN}${line}\n${table}`);
  }

  /** Removes the table (before the shutdown lines). */
  clear(): void {
    this.#sink.write(`${up(this.#lines.length)}${CLEAR_DOWN}`);
    this.#lines = [];
  }
}
