/**
 * Where a process's threads spent a window of wall time, from Linux's per-thread scheduler
 * statistics (`/proc/<pid>/task/<tid>/schedstat`: ns on a CPU, ns runnable but waiting for one,
 * time slices). `bench leader` reports it beside the leader's event-loop delay: on a machine
 * whose cores the bench's own agents share, a loop turn can be late because the leader had
 * work to do or because its thread waited for a core, and only this tells the two apart.
 */
import { readdir, readFile } from 'node:fs/promises';

/** One thread's (or a sum of threads') scheduler counters. */
export interface ThreadTimes {
  readonly runNs: number;
  readonly waitNs: number;
  readonly slices: number;
}

/** A process's main thread (tid = pid) and the sum of its other threads. */
export interface ProcessThreadTimes {
  readonly main: ThreadTimes;
  readonly others: ThreadTimes;
  readonly threads: number;
}

/** The shares of a window, each of its wall time. */
export interface ThreadShares {
  /** The main thread on a CPU (1 = a whole core). */
  readonly mainOnCpu: number;
  /** The main thread runnable but waiting for a CPU. */
  readonly mainWaitingForCpu: number;
  /** Mean wait for a CPU per time slice of the main thread, ms. */
  readonly mainMeanWaitPerSliceMs: number;
  /** The other threads together on a CPU (the KV index worker, GC helpers, libuv's pool). */
  readonly othersOnCpu: number;
}

/** Parses one schedstat line ("run wait slices"); undefined when it is not one. */
export function parseSchedstat(text: string): ThreadTimes | undefined {
  const parts = text.trim().split(/\s+/).map(Number);
  if (parts.length < 3 || parts.some((v) => !Number.isFinite(v) || v < 0)) return undefined;
  const [runNs = 0, waitNs = 0, slices = 0] = parts;
  return { runNs, waitNs, slices };
}

const sum = (a: ThreadTimes, b: ThreadTimes): ThreadTimes => ({
  runNs: a.runNs + b.runNs,
  waitNs: a.waitNs + b.waitNs,
  slices: a.slices + b.slices,
});

/** Reads every thread of `pid`; undefined where /proc has no schedstat (not Linux, gone). */
export async function readProcessThreads(pid: number): Promise<ProcessThreadTimes | undefined> {
  const dir = `/proc/${pid}/task`;
  const tids = await readdir(dir).catch(() => undefined);
  if (tids === undefined) return undefined;
  let main: ThreadTimes | undefined;
  let others: ThreadTimes = { runNs: 0, waitNs: 0, slices: 0 };
  for (const tid of tids) {
    // A thread can end between the listing and the read: it is left out.
    const text = await readFile(`${dir}/${tid}/schedstat`, 'utf8').catch(() => '');
    const times = parseSchedstat(text);
    if (times === undefined) continue;
    if (tid === String(pid)) main = times;
    else others = sum(others, times);
  }
  return main === undefined ? undefined : { main, others, threads: tids.length };
}

/** The shares of `wallMs` between two reads of the same process. */
export function threadShares(
  before: ProcessThreadTimes,
  after: ProcessThreadTimes,
  wallMs: number,
): ThreadShares {
  const wallNs = wallMs * 1e6;
  const r3 = (v: number): number => Math.round(v * 1000) / 1000;
  const slices = after.main.slices - before.main.slices;
  const waitNs = after.main.waitNs - before.main.waitNs;
  return {
    mainOnCpu: r3((after.main.runNs - before.main.runNs) / wallNs),
    mainWaitingForCpu: r3(waitNs / wallNs),
    mainMeanWaitPerSliceMs: slices > 0 ? r3(waitNs / slices / 1e6) : 0,
    // Threads that ended in the window take their time with them: a lower bound.
    othersOnCpu: r3(Math.max(0, after.others.runNs - before.others.runNs) / wallNs),
  };
}
