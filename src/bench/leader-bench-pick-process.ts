/**
 * The parent's side of `bench leader`'s pick client process (leader-bench-pick-child.ts): forks
 * it, waits for its stub engines' ports, and asks it for runs of steady picks.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopForkedChild } from './bench-processes.js';
import type { PickChildPlan, PickChildReply, PickChildRequest } from './leader-bench-plan.js';

/** What one run of picks says, with the pick process's own event-loop delay over it. */
export type PickRun = Extract<PickChildReply, { type: 'picks' }>;

/** A running pick client process. */
export interface PickProcess {
  /** Its stub engines' ports (every engine of the cluster file points at one). */
  readonly ports: readonly number[];
  /** One run of steady picks (`runPickLoad`); rejects if the process exits first. */
  run(request: PickChildRequest): Promise<PickRun>;
  stop(): Promise<void>;
}

/** Forks the pick process; resolves once its stubs listen, rejects past `timeoutMs`. */
export async function startPickProcess(
  plan: PickChildPlan,
  timeoutMs = 30_000,
): Promise<PickProcess> {
  const script = fileURLToPath(new URL('./leader-bench-pick-child.js', import.meta.url));
  const child: ChildProcess = fork(script, [JSON.stringify(plan)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (type: PickChildReply['type'], waitMs: number): Promise<PickChildReply> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`pick process: no ${type} in time`)), waitMs);
      const onMessage = (m: PickChildReply): void => {
        if (m.type === type) done(undefined, m);
      };
      const onExit = (): void => done(new Error(`pick process exited before its ${type}`));
      function done(err?: Error, reply?: PickChildReply): void {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (err !== undefined) reject(err);
        else resolve(reply as PickChildReply);
      }
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  let ready: PickChildReply;
  try {
    ready = await next('ready', timeoutMs);
  } catch (err) {
    await stopForkedChild(child);
    throw err;
  }
  return {
    ports: ready.type === 'ready' ? ready.ports : [],
    run: async (request) => {
      const answer = next('picks', request.durationMs + request.timeoutMs + 30_000);
      child.send(request);
      return (await answer) as PickRun;
    },
    stop: () => stopForkedChild(child),
  };
}
