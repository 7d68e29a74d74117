/**
 * `infernode status`: the cluster as the leader sees it — nodes and their agents, engines with
 * their load, freshness and health, the LoRA adapters, the autoscalers and the KV cache — from
 * the leader's control API (status-snapshot.ts). `--json` prints the snapshot as JSON;
 * `--watch` redraws it every `--interval-s` seconds until Ctrl-C (exit 0).
 */
import { bool, defineCommand, int, sleep, str } from '../shared/index.js';
import { renderSnapshot } from './status-render.js';
import { readStatusSnapshot, type StatusSnapshot } from './status-snapshot.js';

export { renderStatus } from './status-render.js';

const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is the leader running on that port?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ERR_INVALID_URL: 'not a valid http:// URL',
};

/**
 * Why a fetch to the leader failed, in words: fetch itself only says "fetch failed" and keeps
 * the reason (ECONNREFUSED, a DNS failure) in `cause`.
 */
export function fetchFailure(err: unknown, timeoutMs: number): string {
  const error = err instanceof Error ? err : new Error(String(err));
  if (error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = error.cause as { code?: string; message?: string } | undefined;
  if (cause?.code !== undefined) return NETWORK_REASONS[cause.code] ?? cause.code;
  return cause?.message ?? error.message;
}

// Terminal control: the alternate screen keeps the operator's scrollback intact, the cursor is
// hidden while redrawing, and each frame starts from the top-left of a cleared screen.
const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l';
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';
const CLEAR = '\x1b[H\x1b[2J';

const write = (s: string): void => void process.stdout.write(s);

interface StatusOptions {
  readonly leaderUrl: string;
  readonly timeoutMs: number;
  readonly json: boolean;
  readonly intervalS: number;
}

function failureLine(o: StatusOptions, err: unknown): string {
  const url = `${o.leaderUrl.replace(/\/+$/, '')}/v1/cluster`;
  return `cannot read the cluster from the leader at ${url}: ${fetchFailure(err, o.timeoutMs)}`;
}

/** One frame as text: JSON on one line (so `--watch --json` is NDJSON), else the tables. */
function frame(o: StatusOptions, s: StatusSnapshot): string {
  return o.json ? `${JSON.stringify(s)}\n` : `${renderSnapshot(s).join('\n')}\n`;
}

/** Prints once; exit 1 with one line on stderr when the leader cannot be read. */
async function once(o: StatusOptions): Promise<number> {
  try {
    write(frame(o, await readStatusSnapshot(o.leaderUrl, o.timeoutMs)));
    return 0;
  } catch (err) {
    process.stderr.write(
      `infernode status: ${failureLine(o, err)} (set --leader-url or INFERNODE_STATUS_LEADER_URL)\n`,
    );
    return 1;
  }
}

/**
 * Redraws every interval until SIGINT/SIGTERM, then exits 0. On a terminal each frame replaces
 * the last; piped, frames follow one another (JSON: one line each). A leader that cannot be read
 * is shown as such and retried: a watch outlives a leader restart.
 */
async function watch(o: StatusOptions): Promise<number> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  // A function, not the property: the loop condition would narrow `aborted` to false for good.
  const stopped = (): boolean => stop.signal.aborted;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tty = process.stdout.isTTY && !o.json;
  if (tty) write(ENTER_SCREEN);
  try {
    while (!stopped()) {
      let body: string;
      try {
        body = frame(o, await readStatusSnapshot(o.leaderUrl, o.timeoutMs, stop.signal));
      } catch (err) {
        if (stopped()) break;
        body = o.json
          ? `${JSON.stringify({ at: new Date().toISOString(), error: failureLine(o, err) })}\n`
          : `${failureLine(o, err)}\n`;
      }
      const header = `infernode status  every ${o.intervalS} s  ${new Date().toISOString()}  (Ctrl-C to exit)\n\n`;
      if (tty) write(`${CLEAR}${header}${body}`);
      else write(o.json ? body : `${header}${body}\n`);
      await sleep(o.intervalS * 1000, stop.signal);
    }
  } finally {
    if (tty) write(LEAVE_SCREEN);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}

export const statusCommand = defineCommand({
  name: 'status',
  summary:
    'show the cluster as the leader sees it: nodes, GPUs, engines, adapters, autoscalers, KV',
  usage:
    'infernode status [--leader-url http://127.0.0.1:8081] [--json] [--watch [--interval-s 2]]',
  envPrefix: 'STATUS',
  spec: {
    leaderUrl: str('http://127.0.0.1:8081', 'the leader’s control URL'),
    timeoutMs: int(5000, 'request timeout, ms', { min: 1 }),
    json: bool(false, 'print the snapshot as JSON (with --watch: one JSON line per redraw)'),
    watch: bool(false, 'redraw every --interval-s seconds until Ctrl-C (exit 0)'),
    intervalS: int(2, 'seconds between redraws with --watch', { min: 1 }),
  },
  async run({ config }) {
    const o: StatusOptions = {
      leaderUrl: config.leaderUrl.replace(/\/+$/, ''),
      timeoutMs: config.timeoutMs,
      json: config.json,
      intervalS: config.intervalS,
    };
    return config.watch ? watch(o) : once(o);
  },
});
