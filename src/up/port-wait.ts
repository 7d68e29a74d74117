/**
 * Waits until something listens on a loopback port: an engine that streams its weights through
 * its node agent's read-through endpoint starts only once that endpoint answers, as a pod would
 * wait for the DaemonSet on its node (vLLM's streamer gives up on a refused connection).
 */
import { connect } from 'node:net';
import { AppError, sleep } from '../shared/index.js';

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** Resolves once `host:port` accepts a connection; PROC_CHILD_FAILED after `timeoutMs`. */
export async function waitForListening(
  host: string,
  port: number,
  what: string,
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await accepts(host, port))) {
    if (Date.now() > deadline)
      throw new AppError(
        'PROC_CHILD_FAILED',
        `${what} did not listen on ${host}:${port} within ${options.timeoutMs} ms`,
      );
    await sleep(100, options.signal);
  }
}
