/**
 * Starts llama.cpp's llama-server on a free loopback port with a model file, waits for /health,
 * and stops it (SIGTERM, then SIGKILL after a grace period). Its output goes to a log file next
 * to the model so a failing test can point at it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { freePorts } from '../../../src/shared/index.js';

export interface LlamaServerOptions {
  readonly binary: string;
  readonly model: string;
  /** Served model name (`--alias`): what `/v1/models` lists. */
  readonly alias: string;
  /** Serve `/metrics` (`--metrics`). */
  readonly metrics: boolean;
  readonly logFile: string;
  /** Parallel slots (`-np`). Default 2. */
  readonly slots?: number;
  readonly readyTimeoutMs?: number;
}

export interface LlamaServer {
  readonly url: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number, log: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`llama-server exited with ${child.exitCode} before serving; see ${log}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`llama-server not healthy after ${timeoutMs} ms; see ${log}`);
}

/** Starts llama-server and resolves once it answers /health with 200. */
export async function startLlamaServer(options: LlamaServerOptions): Promise<LlamaServer> {
  const [port] = await freePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const args = [
    ['--host', '127.0.0.1'],
    ['--port', String(port)],
    ['-m', options.model],
    ['--alias', options.alias],
    ['-c', '1024'],
    ['-np', String(options.slots ?? 2)],
    ['-t', '1'],
    ['--fit', 'off'],
    ['--no-webui'],
    ['--no-warmup'],
    options.metrics ? ['--metrics'] : [],
  ].flat();
  const out = openSync(options.logFile, 'a');
  const child = spawn(options.binary, args, { stdio: ['ignore', out, out] });
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await waitHealthy(url, child, options.readyTimeoutMs ?? 60_000, options.logFile);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, logFile: options.logFile, stop };
}
