/**
 * Starts and drives the weight bench's object-store process (weights-s3-child.ts): waits until
 * it is seeded and listening, asks it for the upstream GET counts, stops it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopForkedChild } from './bench-processes.js';
import type { S3ChildPlan } from './weights-s3-plan.js';

/** The running object store. */
export interface BenchObjectStore {
  /** The counting proxy's URL: the S3 endpoint clients use. */
  readonly endpoint: string;
  /** GetObject requests per `bucket/key` since the last reset. */
  gets(): Promise<Readonly<Record<string, number>>>;
  resetCounts(): Promise<void>;
  stop(): Promise<void>;
}

function ask<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`object store did not answer '${type}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: { type?: string }): void => {
      if (message.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message as T);
    };
    child.on('message', onMessage);
    child.send({ type });
  });
}

/** Forks the object store, seeds it per `plan`; rejects past `startTimeoutMs` (seeding 2 GiB takes a while). */
export async function startBenchObjectStore(
  plan: S3ChildPlan,
  startTimeoutMs: number,
): Promise<BenchObjectStore> {
  const script = fileURLToPath(new URL('./weights-s3-child.js', import.meta.url));
  const child = fork(script, [JSON.stringify(plan)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const stop = (): Promise<void> => stopForkedChild(child);
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`object store not ready within ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
      child.once('message', (message: { type?: string; endpoint?: string }) => {
        clearTimeout(timer);
        if (message.type === 'ready' && message.endpoint !== undefined) resolve(message.endpoint);
        else reject(new Error('object store sent no ready message'));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`object store exited during start (code ${String(code)})`));
      });
    });
    return {
      endpoint,
      gets: async () => (await ask<{ gets: Record<string, number> }>(child, 'counts', 10_000)).gets,
      resetCounts: async () => {
        await ask(child, 'reset', 10_000);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
