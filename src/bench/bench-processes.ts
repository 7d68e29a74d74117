/**
 * The gateway benchmark's helper processes: the load generator (its own event loop, so the
 * client never competes with the gateway's) and the reference proxy. Both are time-boxed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { LoadResult } from './gateway-report.js';
import type { LoadPlan } from './load-client.js';

const script = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

/**
 * Stops a forked bench server: closes its IPC channel (the child exits when it sees that) and
 * kills it if it has not exited 5 s later. Resolves once it has exited; a no-op if it already has.
 */
export async function stopForkedChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** The load generator's output: the gateway's results, and the reference proxy's when measured. */
export interface LoadResults {
  readonly gateway: LoadResult;
  readonly reference?: LoadResult;
}

/** Runs the load generator process; resolves with its JSON output, killing it after `timeoutMs`. */
export function runLoadGenerator(plan: LoadPlan, timeoutMs: number): Promise<LoadResults> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script('gateway-load.js'), JSON.stringify(plan)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`load generator exited with ${signal ?? `code ${String(code)}`}`));
        return;
      }
      try {
        resolve(JSON.parse(out) as LoadResults);
      } catch (err) {
        reject(new Error('load generator printed no JSON result', { cause: err }));
      }
    });
  });
}

/** A running reference proxy process. */
export interface ReferenceProxy {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts the bare reference proxy on `port` in front of `upstreamPorts`; waits until it listens. */
export async function startReferenceProxy(
  port: number,
  upstreamPorts: readonly number[],
  timeoutMs = 10_000,
): Promise<ReferenceProxy> {
  const child: ChildProcess = spawn(
    process.execPath,
    [script('reference-proxy.js'), String(port), ...upstreamPorts.map(String)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  };
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('reference proxy did not start')), timeoutMs);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => {
      if (text.includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error('reference proxy exited during start'));
    });
  });
  try {
    await ready;
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, stop };
}
