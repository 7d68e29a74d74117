/**
 * Starts and drives `bench kv`'s server processes (kv-bench-child.ts): waits for `ready`, asks
 * for their counters, stops them. Every wait is time-boxed; a child that will not exit is killed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopForkedChild } from './bench-processes.js';
import type { KvChildPlan, KvChildStats } from './kv-bench-plan.js';

/** A running server child. */
export interface KvServerProcess {
  readonly port: number;
  stats(): Promise<KvChildStats>;
  stop(): Promise<void>;
}

function waitFor<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`bench kv server sent no '${type}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: { type?: string }): void => {
      if (message.type !== type) return;
      done();
      resolve(message as T);
    };
    const onExit = (code: number | null): void => {
      done();
      reject(new Error(`bench kv server exited (code ${String(code)}) before '${type}'`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * Both server children keep freed heap memory instead of handing it back to the kernel. Where a
 * socket's reads are fresh 64 KiB chunks ('data' events: both servers' fallback when `readInto`
 * cannot adopt an accepted socket, and how both read before it), glibc by default returns the
 * heap's freed top after every collection and the next reads fault it back in a page at a time.
 * The raw server, a small heap, paid that on every put (4–7× its CPU per GB), which made the
 * baseline slower than the block service; the same setting on both sides compares protocol work,
 * not allocator behaviour.
 */
const SERVER_MALLOC_TUNABLES = 'glibc.malloc.trim_threshold=1073741824';

/** Forks a server child for `plan`; `cpuProfileDir` runs it under `node --cpu-prof`. */
export async function startKvServer(
  plan: KvChildPlan,
  timeoutMs: number,
  cpuProfileDir?: string,
): Promise<KvServerProcess> {
  const script = fileURLToPath(new URL('./kv-bench-child.js', import.meta.url));
  const execArgv =
    cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`];
  const child = fork(script, [JSON.stringify(plan)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
    env: { ...process.env, GLIBC_TUNABLES: SERVER_MALLOC_TUNABLES },
  });
  const stop = (): Promise<void> => stopForkedChild(child);
  try {
    const ready = await waitFor<{ port: number }>(child, 'ready', timeoutMs);
    return {
      port: ready.port,
      stats: () => {
        const answer = waitFor<KvChildStats>(child, 'stats', timeoutMs);
        child.send({ type: 'stats' });
        return answer;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
