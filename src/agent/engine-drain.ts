/**
 * The `engine.drain` command: the agent marks one of its engines draining (its EngineReport
 * says `draining: true`, so the leader stops routing new requests to it) and answers when the
 * engine is idle, no request running and none waiting by its own scrapes, or after
 * `waitForIdleMs` with what was still in flight. `drain: false` undrains it at once.
 */
import type { EngineReport, JsonObject } from '../protocol/index.js';
import { AppError, linkedSignal, toError } from '../shared/index.js';
import type { CommandContext, CommandHandler, ParsedArgs } from './command-handler.js';

/** The engines the leader asked this agent to drain. Bounded by the engines it reports. */
export class DrainSet {
  readonly #ids = new Set<string>();

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  set(id: string, draining: boolean): void {
    if (draining) this.#ids.add(id);
    else this.#ids.delete(id);
  }

  /** The reports with `draining: true` on drained engines; forgets engines no longer reported. */
  mark(reports: readonly EngineReport[]): EngineReport[] {
    const seen = new Set(reports.map((r) => r.id));
    for (const id of this.#ids) if (!seen.has(id)) this.#ids.delete(id);
    return reports.map((r) => (this.#ids.has(r.id) ? { ...r, draining: true } : r));
  }
}

/** Args of `engine.drain`. */
export interface DrainArgs {
  readonly engine: string;
  /** False undrains. */
  readonly drain: boolean;
  /** Answer after this long even when requests are still in flight; absent: wait for idle. */
  readonly waitForIdleMs: number | undefined;
}

/** Validates `engine.drain` args. */
export function parseDrainArgs(args: JsonObject): ParsedArgs<DrainArgs> {
  const { engine, drain, waitForIdleMs } = args;
  if (typeof engine !== 'string' || engine.length === 0 || engine.length > 253)
    return { ok: false, message: 'engine must be an engine id' };
  if (typeof drain !== 'boolean') return { ok: false, message: 'drain must be a boolean' };
  if (
    waitForIdleMs !== undefined &&
    !(Number.isSafeInteger(waitForIdleMs) && (waitForIdleMs as number) >= 0)
  )
    return { ok: false, message: 'waitForIdleMs must be an integer ≥ 0' };
  return { ok: true, args: { engine, drain, waitForIdleMs: waitForIdleMs as number | undefined } };
}

/** What the drain handler needs from the agent (the engine watcher and the leader client). */
export interface EngineDrainDeps {
  readonly drains: DrainSet;
  /** The latest report of every engine on the node. */
  readonly engines: () => readonly EngineReport[];
  /** Calls the listener after each scrape cycle; returns how to stop. */
  readonly onCycle: (listener: (reports: readonly EngineReport[]) => void) => () => void;
  /** Sends the engines' reports (with drain marks) to the leader now. */
  readonly publish: () => void;
  /** Default 600000 ms. */
  readonly timeoutMs?: number;
}

interface Load {
  readonly running: number | null;
  readonly waiting: number | null;
}

/** Running and waiting requests by the latest scrape; null when unknown (stale or absent). */
function loadOf(report: EngineReport | undefined): Load {
  const scrape = report?.metricsStale === true ? undefined : report?.metrics?.scrape;
  return {
    running: scrape?.numRequestsRunning ?? null,
    waiting: scrape?.numRequestsWaiting ?? null,
  };
}

/**
 * Resolves when a scrape shows the engine idle, or after `waitMs` with its last load. Only from
 * the second cycle on: the first may have started before the leader heard of the drain, and a
 * request routed in that gap would be missed.
 */
function waitForIdle(
  engine: string,
  deps: EngineDrainDeps,
  waitMs: number | undefined,
  context: CommandContext,
): Promise<Load & { readonly idle: boolean }> {
  return new Promise((resolve, reject) => {
    const link = linkedSignal([context.signal], waitMs);
    let last = loadOf(deps.engines().find((r) => r.id === engine));
    let cycles = 0;
    const done = (settle: () => void): void => {
      stop();
      link.dispose();
      link.signal.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = (): void =>
      done(() =>
        link.timedOut ? resolve({ idle: false, ...last }) : reject(toError(context.signal.reason)),
      );
    link.signal.addEventListener('abort', onAbort, { once: true });
    const stop = deps.onCycle((reports) => {
      const report = reports.find((r) => r.id === engine);
      if (report === undefined)
        return done(() =>
          reject(new AppError('ENGINE_NOT_FOUND', `engine ${engine} went away while draining`)),
        );
      last = loadOf(report);
      cycles++;
      context.progress({ engine, ...last });
      if (cycles >= 2 && last.running === 0 && last.waiting === 0)
        done(() => resolve({ idle: true, ...last }));
    });
    if (link.signal.aborted) onAbort();
  });
}

/** The `engine.drain` handler. */
export function engineDrainHandler(deps: EngineDrainDeps): CommandHandler<DrainArgs> {
  return {
    kind: 'engine.drain',
    timeoutMs: deps.timeoutMs ?? 600_000,
    concurrency: 16,
    parseArgs: parseDrainArgs,
    async run(args, context) {
      if (!deps.engines().some((r) => r.id === args.engine))
        throw new AppError('ENGINE_NOT_FOUND', `no engine ${args.engine} on this node`);
      deps.drains.set(args.engine, args.drain);
      deps.publish();
      context.log.info({ engine: args.engine, drain: args.drain }, 'engine drain set');
      if (!args.drain) return { engine: args.engine, draining: false };
      const load = await waitForIdle(args.engine, deps, args.waitForIdleMs, context);
      return { engine: args.engine, draining: true, ...load };
    },
  };
}
