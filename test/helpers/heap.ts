/**
 * Heap measurements for leak properties. A real collection is needed for a meaningful number:
 * `global.gc` when node runs with --expose-gc, else the same function obtained through V8's
 * flags (documented V8 behaviour: the flag takes effect for contexts created afterwards).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setImmediate as nextTurn } from 'node:timers/promises';

function gcFunction(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Runs full collections until the heap stops shrinking (at most a few rounds). */
export async function collectGarbage(): Promise<void> {
  const gc = gcFunction();
  let last = Infinity;
  for (let i = 0; i < 5; i++) {
    await nextTurn();
    gc();
    const now = process.memoryUsage().heapUsed;
    if (now >= last * 0.99) return;
    last = now;
  }
}

/** `heapUsed` after a full collection, bytes. */
export async function heapUsedBytes(): Promise<number> {
  await collectGarbage();
  return process.memoryUsage().heapUsed;
}
