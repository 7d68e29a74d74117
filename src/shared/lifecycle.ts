/**
 * Lifecycle (STYLE.md §10): every long-lived part is `run(signal)` and resolves once fully
 * stopped. The process root owns one AbortController; SIGTERM/SIGINT abort it, the parts drain,
 * and the process exits within a grace period whatever happens.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { toError } from './errors.js';

/** A long-lived component. `run` resolves when it has stopped after `signal` aborts. */
export interface Runnable {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}

export interface RunProcessOptions {
  readonly log: Logger;
  /** How long the parts may take to drain after a stop signal. Default 30000 ms. */
  readonly shutdownGraceMs?: number;
  /** Test seam: exit function. Default process.exit. */
  readonly exit?: (code: number) => void;
}

/**
 * Runs the parts until a signal or until one of them fails. A part that rejects stops the
 * others and the process exits 1; a clean signal exits 0. Past the grace period it exits 1.
 * Resolves with the exit code it passed to `exit` (for callers whose `exit` does not end the
 * process).
 */
export async function runProcess(
  parts: readonly Runnable[],
  options: RunProcessOptions,
): Promise<number> {
  const { log } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const graceMs = options.shutdownGraceMs ?? 30_000;
  const root = new AbortController();
  // Each component keeps a few listeners on the root signal for its whole life (a sleep, a
  // server's stop): a number bounded by the components, so lift Node's warning threshold of 10
  // to that bound rather than print a leak warning for a process with many parts.
  setMaxListeners(Math.max(10, parts.length * 4), root.signal);
  let exitCode = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (root.signal.aborted) {
      log.warn({ signal: sig }, 'second stop signal: exiting now');
      exit(1);
      return;
    }
    log.info({ signal: sig }, 'stopping');
    root.abort(new Error(`received ${sig}`));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let graceTimer: NodeJS.Timeout | undefined;
  // The grace timer is deliberately not unref'd: it holds the event loop open while the parts
  // drain. Without it, a part waiting on an unref'd timer (a WebSocket close grace) let the loop
  // empty, and Node ended the process with code 0 before "stopped" — even after a failure.
  root.signal.addEventListener('abort', () => {
    graceTimer = setTimeout(() => {
      log.error({ graceMs }, 'shutdown grace period passed: exiting');
      exit(1);
    }, graceMs);
  });
  const runs = parts.map(async (part) => {
    try {
      await part.run(root.signal);
      if (!root.signal.aborted) {
        log.error({ part: part.name }, 'component stopped on its own');
        exitCode = 1;
        root.abort(new Error(`${part.name} stopped`));
      }
    } catch (thrown) {
      log.error({ part: part.name, err: toError(thrown) }, 'component failed');
      exitCode = 1;
      root.abort(thrown);
    }
  });
  await Promise.all(runs);
  clearTimeout(graceTimer);
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  log.info({ exitCode }, 'stopped');
  log.flush();
  exit(exitCode);
  return exitCode;
}

/** Resolves when the signal aborts (immediately if it already has). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Sleeps `ms`, or less if the signal aborts first (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
