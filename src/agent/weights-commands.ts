/**
 * The leader's weight commands on this node: `weights.pull {uri}` fetches a model into the node
 * cache (the autoscaler prefetches before a scale-up; `infernode pull --node` goes through it) and
 * reports the pull's progress about every second; `weights.evict {uri}` removes a model no
 * engine holds. A pull is shared with any other caller of the same artifact (one fetch per node);
 * the command's own timeout or cancel stops only its wait, never another caller's pull.
 */
import type { JsonObject } from '../protocol/index.js';
import type { PullProgress } from '../weights/index.js';
import type { PullHandle } from '../weights/adapters/index.js';
import type { CommandHandler, ParsedArgs } from './command-handler.js';

/** What the handlers need of the node cache (NodeCache has it). */
export interface WeightsCommandCache {
  pull(uri: string, options: { readonly signal: AbortSignal }): PullHandle;
  evict(uri: string): Promise<{ readonly key: string; readonly bytes: number }>;
}

/** Args of both weight kinds. */
export interface WeightsArgs {
  readonly uri: string;
}

/** Validates `{uri}`; the URI's own rules are the cache's (a clear WEIGHTS_* error). */
export function parseWeightsArgs(args: JsonObject): ParsedArgs<WeightsArgs> {
  const { uri } = args;
  if (typeof uri !== 'string' || uri.length === 0 || uri.length > 2048)
    return { ok: false, message: 'uri must be an artifact URI of at most 2048 characters' };
  return { ok: true, args: { uri } };
}

/** A pull's progress, small enough for one `progress` message (files summarized, not listed). */
export function progressSummary(p: PullProgress): JsonObject {
  return {
    uri: p.uri,
    totalBytes: p.totalBytes,
    bytesDone: p.bytesDone,
    bytesPerSecond: Math.round(p.bytesPerSecond),
    partsInFlight: p.partsInFlight,
    files: p.files.length,
    filesDone: p.files.filter((f) => f.state === 'done').length,
  };
}

/** Options of {@link weightsCommandHandlers}. */
export interface WeightsCommandOptions {
  readonly cache: WeightsCommandCache;
  /** Between progress messages, ms. Default 1000. */
  readonly progressEveryMs?: number;
  /** Default timeout of a pull; a command's own timeoutMs overrides it. Default 2 h. */
  readonly pullTimeoutMs?: number;
}

/** The `weights.pull` and `weights.evict` handlers. */
export function weightsCommandHandlers(options: WeightsCommandOptions): CommandHandler[] {
  const pull: CommandHandler<WeightsArgs> = {
    kind: 'weights.pull',
    timeoutMs: options.pullTimeoutMs ?? 2 * 60 * 60 * 1000,
    // Pulls of different models run side by side; each is already parallel inside.
    concurrency: 4,
    parseArgs: parseWeightsArgs,
    async run({ uri }, { signal, progress }) {
      const handle = options.cache.pull(uri, { signal });
      const timer = setInterval(
        () => progress(progressSummary(handle.progress())),
        options.progressEveryMs ?? 1000,
      );
      timer.unref();
      try {
        const model = await handle.done;
        return { key: model.key, uri: model.uri, path: model.path, bytes: model.bytes };
      } finally {
        clearInterval(timer);
      }
    },
  };
  const evict: CommandHandler<WeightsArgs> = {
    kind: 'weights.evict',
    timeoutMs: 60_000,
    concurrency: 1,
    parseArgs: parseWeightsArgs,
    async run({ uri }) {
      const evicted = await options.cache.evict(uri);
      return { key: evicted.key, bytes: evicted.bytes };
    },
  };
  return [pull, evict];
}
