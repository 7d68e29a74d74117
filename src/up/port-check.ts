/**
 * Checks that the local cluster's ports are free before any child starts, by listening on each
 * for a moment: a taken port is one clear line (which port, whose it is), instead of a child
 * that fails, is restarted for a minute, and ends in a stack trace.
 */
import { createServer } from 'node:net';
import { AppError } from '../shared/index.js';
import { duplicatePorts, type ClusterPort } from './cluster-ports.js';

/** The error code of listening on `host:port` (undefined: it was free), closed again at once. */
function tryListen(host: string, port: number, signal: AbortSignal): Promise<string | undefined> {
  if (signal.aborted) return Promise.resolve('stopped');
  return new Promise((resolve) => {
    const server = createServer();
    const onAbort = (): void => {
      server.close();
      resolve('no answer in time');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (code: string | undefined): void => {
      signal.removeEventListener('abort', onAbort);
      resolve(code);
    };
    server.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => done(undefined)));
  });
}

/**
 * Throws `PROC_PORT_IN_USE` naming the first port that is taken, or given twice in the file.
 * Port 0 (any free port) is never checked. Each probe is bounded by `timeoutMs`.
 */
export async function assertPortsFree(
  ports: readonly ClusterPort[],
  clusterFile: string,
  options: { readonly signal?: AbortSignal; readonly timeoutMs?: number } = {},
): Promise<void> {
  const [duplicate] = duplicatePorts(ports.filter((p) => p.port !== 0));
  if (duplicate !== undefined)
    throw new AppError('PROC_PORT_IN_USE', `${clusterFile}: ${duplicate}`);
  for (const p of ports) {
    if (p.port === 0) continue;
    const signal = AbortSignal.any([
      options.signal ?? new AbortController().signal,
      AbortSignal.timeout(options.timeoutMs ?? 2000),
    ]);
    const code = await tryListen(p.host, p.port, signal);
    if (code === undefined) continue;
    const why = code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${code})`;
    throw new AppError(
      'PROC_PORT_IN_USE',
      `port ${p.port} on ${p.host} for ${p.role} ${why}; stop what holds it or change it in ${clusterFile}`,
    );
  }
}
