/**
 * One weight-loading I/O call under a deadline: a per-call timeout linked to the simulator's stop
 * signal, with the call cut (or abandoned, for file reads that take no signal) when either fires,
 * and the outcome named with a stable error code.
 */
import { AppError, linkedSignal } from '../shared/index.js';

/**
 * Runs `call` with a signal that aborts on `stop` or after `timeoutMs`. Rejects WEIGHTS_ABORTED
 * when stopped, WEIGHTS_SOURCE_TIMEOUT on the timeout, else with the call's own error.
 */
export async function withIoDeadline<T>(
  stop: AbortSignal,
  timeoutMs: number,
  what: string,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const linked = linkedSignal([stop], timeoutMs);
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error('aborted'));
    if (linked.signal.aborted) onAbort();
    else linked.signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    return await Promise.race([call(linked.signal), aborted]);
  } catch (err) {
    if (linked.timedOut)
      throw new AppError('WEIGHTS_SOURCE_TIMEOUT', `${what}: no answer within ${timeoutMs} ms`);
    if (stop.aborted) throw new AppError('WEIGHTS_ABORTED', `${what}: stopped while loading`);
    throw err;
  } finally {
    linked.signal.removeEventListener('abort', onAbort);
    linked.dispose();
  }
}
