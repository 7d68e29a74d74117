/**
 * The live feed: reads `GET /v1/console/stream` with fetch and a stream reader (so the bearer
 * token goes in an Authorization header, never in the URL), keeps the page's ConsoleSnapshot up to
 * date from the `snapshot` and `delta` events, and reconnects with capped, jittered backoff. A
 * stream silent for longer than `idleTimeoutMs` (the leader sends keep-alives) counts as lost.
 */
import { applyConsoleDelta } from '../console-delta.js';
import {
  CONSOLE_SNAPSHOT_VERSION,
  type ConsoleDelta,
  type ConsoleSnapshot,
} from '../console-snapshot.js';
import { SseParser } from './sse-parser.js';

/** Where the connection stands, for the header's status pill. */
export type FeedStatus = 'connecting' | 'live' | 'disconnected' | 'unauthorized' | 'outdated';

/** What the feed tells the page. */
export interface FeedListener {
  snapshot(snapshot: ConsoleSnapshot): void;
  status(status: FeedStatus, detail: string): void;
}

/** Feed settings; the defaults suit a browser tab. */
export interface FeedOptions {
  readonly url: string;
  /** Read before every connection attempt, so a token typed in takes effect on reconnect. */
  readonly token: () => string | null;
  readonly listener: FeedListener;
  readonly signal: AbortSignal;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly idleTimeoutMs?: number;
}

/** How long the feed waits after a 401/403 before asking again on its own. */
const UNAUTHORIZED_RETRY_MS = 5 * 60_000;

/** A running feed: `reconnect()` drops the current stream and connects again at once. */
export interface Feed {
  reconnect(): void;
}

/** Starts the feed; it runs until `options.signal` aborts. */
export function startFeed(options: FeedOptions): Feed {
  const initial = options.initialBackoffMs ?? 1000;
  const max = options.maxBackoffMs ?? 30_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  let attempt: AbortController | undefined;
  let wake: (() => void) | undefined;
  let failures = 0;

  const waitBeforeRetry = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = undefined;
        options.signal.removeEventListener('abort', done);
        resolve();
      }
      wake = done;
      options.signal.addEventListener('abort', done, { once: true });
    });

  // A function, not the property, so the check after an await is not narrowed away.
  const stopped = (): boolean => options.signal.aborted;
  const loop = async (): Promise<void> => {
    while (!stopped()) {
      attempt = new AbortController();
      const stop = (): void => attempt?.abort();
      options.signal.addEventListener('abort', stop, { once: true });
      let outcome: Outcome;
      try {
        outcome = await connect(options, attempt, idleTimeoutMs, () => {
          failures = 0;
        });
      } finally {
        options.signal.removeEventListener('abort', stop);
      }
      if (stopped()) return;
      if (outcome.kind === 'reconnect') continue;
      if (outcome.kind === 'unauthorized') {
        // Retrying cannot help until someone types a token: wait for reconnect() (or a slow retry).
        options.listener.status('unauthorized', 'the leader wants the control token');
        await waitBeforeRetry(UNAUTHORIZED_RETRY_MS);
        continue;
      }
      failures++;
      const delay = Math.min(max, initial * 2 ** Math.min(failures - 1, 10));
      const jittered = Math.round(delay * (0.5 + Math.random() * 0.5));
      options.listener.status(
        outcome.kind === 'outdated' ? 'outdated' : 'disconnected',
        `${outcome.detail}; retrying in ${Math.ceil(jittered / 1000)} s`,
      );
      await waitBeforeRetry(jittered);
    }
  };
  void loop();
  return {
    reconnect(): void {
      failures = 0;
      attempt?.abort(new DOMException('reconnect', 'AbortError'));
      wake?.();
    },
  };
}

type Outcome =
  { kind: 'reconnect' } | { kind: 'failed' | 'unauthorized' | 'outdated'; detail: string };

/** One connection: resolves when the stream ends or fails, never rejects. */
async function connect(
  options: FeedOptions,
  attempt: AbortController,
  idleTimeoutMs: number,
  onLive: () => void,
): Promise<Outcome> {
  options.listener.status('connecting', 'connecting…');
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  const token = options.token();
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let idle = setTimeout(() => attempt.abort(), idleTimeoutMs);
  const touch = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => attempt.abort(), idleTimeoutMs);
  };
  try {
    const res = await fetch(options.url, { headers, signal: attempt.signal, cache: 'no-store' });
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      return { kind: 'unauthorized', detail: 'the leader wants a valid token' };
    }
    if (!res.ok || res.body === null) {
      await res.body?.cancel();
      return { kind: 'failed', detail: `the leader answered ${res.status}` };
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    let state: ConsoleSnapshot | undefined;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { kind: 'failed', detail: 'the leader closed the stream' };
      touch();
      for (const event of parser.push(value)) {
        if (event.event !== 'snapshot' && event.event !== 'delta') continue;
        const message = JSON.parse(event.data) as ConsoleSnapshot | ConsoleDelta;
        // The type says v is the current version; the leader may be newer than this page.
        if ((message as { v: unknown }).v !== CONSOLE_SNAPSHOT_VERSION) {
          await reader.cancel();
          return {
            kind: 'outdated',
            detail: 'the leader speaks a newer console version: reload the page',
          };
        }
        if (event.event === 'snapshot') state = message as ConsoleSnapshot;
        else if (state !== undefined) state = applyConsoleDelta(state, message);
        else continue;
        onLive();
        options.listener.status('live', 'live');
        options.listener.snapshot(state);
      }
    }
  } catch (err) {
    if (
      attempt.signal.reason instanceof DOMException &&
      attempt.signal.reason.message === 'reconnect'
    )
      return { kind: 'reconnect' };
    return {
      kind: 'failed',
      detail: err instanceof Error && err.name !== 'AbortError' ? err.message : 'connection lost',
    };
  } finally {
    clearTimeout(idle);
    attempt.abort();
  }
}
